"""The layering rule: only `lib/ui` and the page scripts may know about Streamlit.

`lib/domain`, `lib/api`, `lib/bulk` and `lib/sandbox` run headless (the sandbox server, the bulk
command line, the tests), so an import of streamlit there is a design error, not a style issue.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEADLESS_PACKAGES = ["domain", "api", "bulk", "sandbox", "promote"]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("package", HEADLESS_PACKAGES)
def test_headless_packages_never_import_streamlit(package):
    offenders = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "lib" / package).rglob("*.py"))
        if any(name == "streamlit" or name.startswith("streamlit.") for name in imported_modules(path))
    ]
    assert offenders == []


def test_domain_imports_nothing_of_ours_but_itself():
    offenders = []
    for path in sorted((ROOT / "lib" / "domain").rglob("*.py")):
        for name in imported_modules(path):
            if name.startswith("lib.") and not name.startswith("lib.domain"):
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
            if name.split(".")[0] in {"httpx", "sqlite3", "fastapi", "starlette", "pandas"}:
                offenders.append(f"{path.relative_to(ROOT)}: {name}")
    assert offenders == []


def test_only_one_module_imports_httpx_in_lib_api():
    importers = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "lib" / "api").rglob("*.py"))
        if "httpx" in imported_modules(path)
    ]
    assert len(importers) <= 1, importers
