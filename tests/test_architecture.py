"""The layering rules of the codebase, enforced: sim/ is headless, pages/ are thin, ui/ builders are pure."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PURE_UI = ("charts", "labels", "texts", "state", "narrate", "tradeoff", "handout")


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


# -- the import graph: no cycles, imports at the top, one door to torch -----------------------------------------
HEAVY = {"torch", "transformers", "trl", "datasets", "safetensors", "accelerate"}
DOOR = ("sim", "torch_side")  # sim/__init__.py's torch_side(): the one import inside a function in sim/


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    return ".".join(rel.parts[:-1]) if rel.name == "__init__" else ".".join(rel.parts)


MODULES = {module_name(p): p for p in [ROOT / "app.py", *sorted(ROOT.glob("sim/*.py")), *sorted(ROOT.glob("ui/*.py")),
                                       *sorted(ROOT.glob("pages/*.py"))]}


def import_statements(path: Path) -> list[tuple[ast.stmt, str | None]]:
    """Every import statement of a file with the function it sits in (None: the module level, which counts
    ``if`` / ``try`` blocks at the top too)."""
    out = []

    def visit(node, func):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and getattr(child.test, "id", None) == "TYPE_CHECKING":
                continue  # names for type hints only: never imported when the code runs
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                out.append((child, func))
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else func
            visit(child, inner)

    visit(ast.parse(path.read_text()), None)
    return out


def targets(node: ast.stmt) -> set[str]:
    """The modules an import statement loads: our own by their dotted names, others by their top package."""
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    else:
        assert node.level == 0, "no relative imports"
        names = [f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in MODULES else node.module for a in node.names]
    return {n if n in MODULES else n.split(".")[0] for n in names}


def graph(include_door: bool = False) -> dict[str, set[str]]:
    """Module -> the modules of ours it imports (at the top or inside functions), the door's edge left out."""
    return {name: {t for node, func in import_statements(path) if include_door or (name, func) != DOOR
                   for t in targets(node) if t in MODULES and t != name}
            for name, path in MODULES.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(n):
        state[n] = 1
        path.append(n)
        for m in sorted(edges[n]):
            if state.get(m) == 1:
                return path[path.index(m):] + [m]
            if m not in state and (found := visit(m)):
                return found
        state[n] = 2
        path.pop()
        return None

    return next((c for n in sorted(edges) if n not in state and (c := visit(n))), None)


def closure(name: str) -> set[str]:
    """Every module (ours and others' top packages) that importing ``name`` loads, following our own modules'
    top-level imports."""
    seen, todo = set(), [name]
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        if n in MODULES:
            todo += [t for node, func in import_statements(MODULES[n]) if func is None for t in targets(node)]
    return seen


def test_the_cycle_finder_finds_a_cycle_and_passes_a_tree():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_no_import_cycles_in_sim_ui_pages_and_the_app():
    assert find_cycle(graph()) is None


def test_sim_imports_at_the_top_of_each_file_but_for_the_one_door():
    inside = [f"{name}:{func}" for name, path in MODULES.items() if name.split(".")[0] == "sim"
              for node, func in import_statements(path) if func is not None and (name, func) != DOOR]
    assert inside == []
    door = [targets(node) for node, func in import_statements(MODULES["sim"]) if func == DOOR[1]]
    assert door == [{"sim.engine"}, {"sim.bench"}], "the door opens the torch side's entry modules only"


def test_the_torch_free_modules_never_reach_torch_and_the_others_load_it_at_their_top():
    import sim

    sim_modules = {n for n in MODULES if n.split(".")[0] == "sim"}
    assert set(sim.TORCH_FREE) <= sim_modules
    for name in sorted(sim_modules):
        heavy = closure(name) & HEAVY
        if name in sim.TORCH_FREE:
            assert not heavy, f"{name} reaches {heavy}"
        else:
            assert heavy, f"{name} never loads torch: name it in sim.TORCH_FREE"


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n.split(".")[0] in ("ui", "pages", "app")))
def test_the_app_imports_only_torch_free_sim_modules(name):
    import sim

    used = {t for node, _ in import_statements(MODULES[name]) for t in targets(node) if t.split(".")[0] == "sim"}
    assert used <= set(sim.TORCH_FREE), used - set(sim.TORCH_FREE)


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
