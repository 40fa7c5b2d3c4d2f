"""The layering rules of the codebase, enforced: sim/ is headless, pages/ are thin, ui/ builders are pure."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_UI = ("charts", "labels", "texts", "state", "narrate", "tradeoff")


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "pages").glob("*.py")), ids=lambda p: p.name)
def test_pages_are_short_scripts_without_math(path):
    assert len(path.read_text().splitlines()) <= 150
    assert not imports(path) & {"torch", "numpy", "math", "transformers", "pandas"}


@pytest.mark.parametrize("name", PURE_UI)
def test_ui_builders_never_touch_the_page(name):
    assert "streamlit" not in imports(ROOT / "ui" / f"{name}.py")


@pytest.mark.parametrize("path", sorted((ROOT / "sim").glob("*.py")), ids=lambda p: p.name)
def test_core_never_imports_the_ui(path):
    assert not imports(path) & {"streamlit", "plotly", "ui", "pages"}
