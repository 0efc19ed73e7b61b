"""Page state is typed: only the state modules touch `st.session_state`.

Every page keeps one state object under one key declared in `lib.ui.state.StateKey`, reached with
`XState.get()` and changed through named methods; widget keys that code also reads or sets are
`WidgetKey`s declared on the page's state class. A literal `st.session_state[...]`, `.get(...)`,
`.pop(...)` or `in st.session_state` anywhere else in `pages/` or `lib/ui` brings back the loose keys
this replaced, so the test below fails on any use of `session_state` in code (docstrings aside).
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STATE_MODULES = {
    "lib/ui/state.py",  # the key registry, `PageState.get()` and `WidgetKey`: every page goes through it
    # The badge editor keeps its own `EditorState` (under `StateKey.EDITOR`) with the only code that
    # reads and writes its path-keyed widgets. Its page and panels (pages/badge_editor.py,
    # lib/ui/badge_editor.py, editor_panels.py, editor_preview.py) were allowed here while the editor
    # moved to that state object; they no longer touch session state, so they are checked like the rest.
    "lib/ui/editor_state.py",
}


def session_state_uses(path: Path) -> list[int]:
    """Lines of `<anything>.session_state` and `from streamlit import session_state` in the code."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))

    def uses(node: ast.AST) -> bool:
        if isinstance(node, ast.ImportFrom):
            return any(alias.name == "session_state" for alias in node.names)
        return isinstance(node, ast.Attribute) and node.attr == "session_state"

    return sorted(node.lineno for node in ast.walk(tree) if uses(node))


def ui_files() -> list[Path]:
    return sorted([*(ROOT / "pages").glob("*.py"), *(ROOT / "lib" / "ui").rglob("*.py")])


def test_only_the_state_modules_touch_session_state():
    offenders = []
    for path in ui_files():
        name = path.relative_to(ROOT).as_posix()
        if name in STATE_MODULES:
            continue
        offenders += [f"{name}:{line}" for line in session_state_uses(path)]
    assert offenders == [], "use the page's state object (lib.ui.state), not st.session_state"


def test_the_allow_lists_name_files_that_exist():
    """An allow-list entry for a file that was renamed or removed would hide nothing; drop it."""
    missing = [name for name in STATE_MODULES if not (ROOT / name).exists()]
    assert missing == []


def test_the_check_sees_a_literal_key(tmp_path):
    page = tmp_path / "page.py"
    page.write_text(
        "import streamlit as st\n"
        "'''st.session_state in a docstring is fine'''\n"
        "if 'x' in st.session_state:\n"
        "    st.session_state['x'] = st.session_state.get('y')\n"
    )
    assert session_state_uses(page) == [3, 4, 4]
