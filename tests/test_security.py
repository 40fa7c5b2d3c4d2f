"""Security rules, enforced on the source and the server's settings (README: "Running it for a room")."""

import ast
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


def test_the_core_keeps_hugging_face_offline():
    import os

    import sim  # noqa: F401  (sets the defaults on import)

    assert os.environ["HF_HUB_OFFLINE"] == "1" and os.environ["TRANSFORMERS_OFFLINE"] == "1"


def test_a_hub_name_is_refused_offline_instead_of_downloaded(tmp_path):
    from transformers import AutoModelForCausalLM

    with pytest.raises(OSError):
        AutoModelForCausalLM.from_pretrained("gpt2", cache_dir=str(tmp_path))
