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


# -- state you can see (issue 13) ---------------------------------------------------------------------------
GLUE = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])
IMMUTABLE_CALLS = {"tuple", "frozenset", "TypeVar", "Slot", "Slots", "compile", "with_name", "Path"}  # constants
MUTATORS = {"append", "add", "pop", "update", "clear", "setdefault", "popitem", "move_to_end", "extend", "insert",
            "remove", "discard"}


def module_singletons(source: str) -> list[str]:
    """Server-wide state held by a module: a ``global`` statement; a module-level name made by a call other
    than a known constant maker (a lock, a set(), an instance of a class...); or a module-level dict / list / set
    that a function changes. Tables filled at import time are constants, not state."""
    tree = ast.parse(source)
    found = [f"global {', '.join(n.names)}" for n in ast.walk(tree) if isinstance(n, ast.Global)]
    literals = set()
    for node in tree.body:
        value = node.value if isinstance(node, ast.Assign | ast.AnnAssign) else None
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        for t in targets:
            if not isinstance(t, ast.Name) or value is None:
                continue
            if isinstance(value, ast.Call):
                f = value.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "?")
                if name not in IMMUTABLE_CALLS:
                    found.append(f"{t.id} = {name}(...)")
            elif isinstance(value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp | ast.SetComp):
                literals.add(t.id)
    for fn in (n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)):
        for n in ast.walk(fn):
            targets = n.targets if isinstance(n, ast.Assign | ast.Delete) else [n.target] if isinstance(
                n, ast.AugAssign) else []
            for t in targets:
                if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id in literals:
                    found.append(f"{t.value.id}[...] changed in {fn.name}()")
            if (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name)
                    and n.func.value.id in literals and n.func.attr in MUTATORS):
                found.append(f"{n.func.value.id}.{n.func.attr}() in {fn.name}()")
    return found


@pytest.mark.parametrize(
    "source",
    [
        "import threading\n_TURN = threading.Lock()",
        "_POOL = RankingPool()",
        "from collections import OrderedDict\n_MODELS = OrderedDict()",
        "BUTTONS: set[str] = set()",
        "_BOARDS: dict = {}\ndef shared(root):\n    _BOARDS[root] = 1",
        "_LIVE = {}\ndef keep(k, job):\n    _LIVE.setdefault(k, job)",
        "N = 0\ndef bump():\n    global N\n    N += 1",
    ],
)
def test_the_singleton_check_catches_each_kind_the_app_had(source):
    assert module_singletons(source), source


def test_the_singleton_check_lets_constant_tables_pass():
    assert module_singletons("A = (1, 2)\nB = {'x': 1}\nB.update({'y': 2})\nC = tuple(range(3))\n"
                             "def f():\n    return B['x']") == []


REGISTRY = ROOT / "sim" / "server.py"  # THE one place: sim.server.shared keeps one Server a cache folder


@pytest.mark.parametrize("path", sorted(p for p in [*(ROOT / "sim").glob("*.py"), *(ROOT / "ui").glob("*.py")]
                                        if p != REGISTRY), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_module_holds_server_wide_state_of_its_own(path):
    """Server-wide state lives in ONE object, sim.server.Server, kept by sim.server.shared."""
    assert module_singletons(path.read_text()) == []


def test_the_one_registry_is_the_only_state_in_its_module():
    """sim/server.py holds the registry and its lock, and nothing else that changes."""
    assert module_singletons(REGISTRY.read_text()) == [
        "_SERVERS_LOCK = Lock(...)", "_SERVERS[...] changed in shared()", "_SERVERS.pop() in forget()"]


@pytest.mark.parametrize("path", [p for p in GLUE if p.name != "session.py"], ids=lambda p: p.name)
def test_session_state_is_touched_only_through_the_session_table(path):
    """Every st.session_state key is a typed Slot in ui/session.py; nothing else reads or writes the state."""
    tree = ast.parse(path.read_text())
    raw = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and n.attr == "session_state"]
    assert raw == [], f"{path.name} touches st.session_state at lines {raw}: use a Slot of ui/session.py"


def test_the_session_table_names_each_key_once():
    from ui import session

    names = [s.name if isinstance(s, session.Slot) else s.prefix for s in session.TABLE]
    assert len(names) == len(set(names)) and all(s.kind and s.meaning for s in session.TABLE)
    slots = {v for v in vars(session).values() if isinstance(v, session.Slot | session.Slots)}
    assert slots == set(session.TABLE), "every Slot of ui/session.py is in its TABLE"


@pytest.mark.parametrize("path", GLUE, ids=lambda p: p.name)
def test_the_glue_uses_only_public_streamlit_and_imports_at_the_top(path):
    tree = ast.parse(path.read_text())
    private = [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
               and n.module.startswith("streamlit.")]
    private += [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names
                if a.name.startswith("streamlit.")]
    assert private == [], f"{path.name} imports Streamlit's internals: {private}"
    inner = [n.lineno for f in ast.walk(tree) if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
             for n in ast.walk(f) if isinstance(n, ast.Import | ast.ImportFrom)]
    assert inner == [], f"{path.name} imports inside a function at lines {inner}"
