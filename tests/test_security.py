"""Security rules, enforced on the source and the server's settings (docs/bad-input.md, "Security")."""

import ast
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*ROOT.glob("sim/*.py"), *ROOT.glob("ui/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"])


def calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            yield name, node


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_pickle_no_eval_and_torch_load_only_with_weights_only(path):
    text = path.read_text()
    assert "import pickle" not in text and "from pickle" not in text and "import dill" not in text
    for name, node in calls(path):
        builtin = isinstance(node.func, ast.Name)  # eval(...), not model.eval()
        assert not (builtin and name in {"eval", "exec", "__import__"}), f"{path.name}:{node.lineno} runs code"
        if name == "load" and isinstance(node.func, ast.Attribute) and getattr(node.func.value, "id", "") == "torch":
            kw = {k.arg: k.value for k in node.keywords}
            assert isinstance(kw.get("weights_only"), ast.Constant) and kw["weights_only"].value is True, (
                f"{path.name}:{node.lineno}: torch.load without weights_only=True"
            )


def test_server_settings_protect_the_room():
    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert cfg["browser"]["gatherUsageStats"] is False, "no usage statistics leave the machine"
    assert cfg["server"]["enableXsrfProtection"] is True
    assert 0 < cfg["server"]["maxUploadSize"] <= 2, "uploads are capped (MB)"


# A fresh interpreter with the offline switches unset: an audit hook (PEP 578) sees every DNS lookup and
# connection. It asks the hub for "gpt2" (a stray hub name) with or without `import sim` first.
HUB_PROBE = """
import os, sys
class Reached(BaseException): pass  # not an Exception: no retry catches it
def hook(event, args):
    if event in ("socket.getaddrinfo", "socket.connect"):
        raise Reached(event)
sys.addaudithook(hook)
if sys.argv[1] == "sim":
    import sim
switches = [os.environ.get(k) for k in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")]
from transformers import AutoModelForCausalLM
try:
    AutoModelForCausalLM.from_pretrained("gpt2", cache_dir=sys.argv[2])
    print("loaded", switches)
except Reached:
    print("network", switches)
except OSError:
    print("refused", switches)
"""


def hub_lookup(first: str, tmp_path: Path) -> str:
    """What the probe saw ("refused", "network" or "loaded") and the two switches, or the probe's error."""
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env["HF_HOME"] = str(tmp_path / "hf")  # no model from an earlier download can answer instead
    done = subprocess.run([sys.executable, "-c", HUB_PROBE, first, str(tmp_path / "models")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    return done.stdout.strip() or done.stderr[-2000:]


def test_importing_the_core_refuses_a_hub_name_without_touching_the_network(tmp_path):
    """`import sim` sets the Hugging Face offline switches, so a hub name fails at once and no lookup or
    connection is even attempted. Without `import sim` the same call does reach for the network: the probe
    sees it, so this test fails if the core ever stops setting the switches."""
    assert hub_lookup("sim", tmp_path) == "refused ['1', '1']"
    assert hub_lookup("bare", tmp_path) == "network [None, None]", "the probe must see a lookup without the switch"
