"""The layering rule: only `lib/ui` and the page scripts may know about Streamlit.

`lib/domain`, `lib/api`, `lib/bulk`, `lib/sandbox` and `lib/promote` run headless (the sandbox server,
the command lines, the tests), and `lib/console` and the chart modules are the pages' pure logic, tested
without a browser, so an import of streamlit there is a design error, not a style issue.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
HEADLESS_PACKAGES = ["domain", "api", "bulk", "sandbox", "promote", "console"]
PURE_MODULES = ["charts.py", "charts_bulk.py", "charts_performance.py", "chart_theme.py", "palette.py", "plotly_bundle.py"]


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


@pytest.mark.parametrize("module", PURE_MODULES)
def test_chart_modules_never_import_streamlit(module):
    names = imported_modules(ROOT / "lib" / module)
    assert not any(name == "streamlit" or name.startswith("streamlit.") for name in names)


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
