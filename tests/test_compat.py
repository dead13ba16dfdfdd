"""wright.compat: `import torch` served by wright's own modules, and `wright torch SCRIPT.py`,
which runs a PyTorch script and names the first PyTorch feature wright lacks."""

import importlib
import importlib.util
import sys
import textwrap

import pytest

import wright
from wright import compat
from wright.cli import main


def imported(statement: str, folder) -> dict:
    """The names an import statement binds in a module of its own, with torch served by wright."""
    path = folder / "importer.py"
    path.write_text(statement + "\n")
    spec = importlib.util.spec_from_file_location("importer", path)
    module = importlib.util.module_from_spec(spec)
    with compat.as_torch():
        spec.loader.exec_module(module)
    return vars(module)


@pytest.mark.parametrize(
    "statement, name, expected",
    [
        ("import torch", "torch", wright),
        ("import torch.nn as nn", "nn", wright.nn),
        ("import torch.nn.functional as F", "F", wright.nn.functional),
        ("from torch.nn import functional", "functional", wright.nn.functional),
        ("from torch import optim", "optim", wright.optim),
        ("import torch.optim.lr_scheduler as sched", "sched", wright.optim.lr_scheduler),
        ("from torch.optim.lr_scheduler import StepLR", "StepLR", wright.optim.lr_scheduler.StepLR),
        ("from torch.utils.data import DataLoader", "DataLoader", wright.data.DataLoader),
        ("import torch.utils.data as data", "data", wright.data),
        (
            "from torch.utils.data.dataloader import DataLoader",
            "DataLoader",
            wright.data.DataLoader,
        ),
        ("from torch.utils.data.dataset import Dataset", "Dataset", wright.data.Dataset),
        ("from torch.nn.parameter import Parameter", "Parameter", wright.nn.Parameter),
        ("import torch.autograd as autograd", "autograd", wright.autograd),
        ("import torch.nn.init as init", "init", wright.nn.init),
        (
            "from torch.nn.utils import clip_grad_norm_",
            "clip_grad_norm_",
            wright.nn.utils.clip_grad_norm_,
        ),
        ("import torch.cuda", "torch", wright),
        ("import torch.backends.cudnn as cudnn", "cudnn", wright.backends.cudnn),
    ],
)
def test_torch_names_are_wright_modules(statement, name, expected, tmp_path):
    assert imported(statement, tmp_path)[name] is expected


def test_aliases_are_the_same_module_objects_not_copies():
    with compat.as_torch() as torch:
        import torch.nn

        assert torch is wright and torch.nn is wright.nn
        assert (
            sys.modules["torch.nn"] is wright.nn
            and sys.modules["torch.nn"].Linear is wright.nn.Linear
        )
        assert wright.__spec__.name == "wright"  # wright's own module keeps its identity


def test_uninstall_restores_real_torch_and_wright():
    torch = pytest.importorskip("torch")
    importlib.import_module("torch.nn")  # a real submodule, set aside and put back

    before = {name: module for name, module in sys.modules.items() if name.startswith("torch")}
    compat.install()
    try:
        compat.install()  # a second install changes nothing
        aliased = importlib.import_module("torch")
        importlib.import_module("torch.backends.cudnn")  # gives wright.backends a __path__

        assert compat.is_installed() and aliased is wright and sys.modules["torch"] is wright
    finally:
        compat.uninstall()
    assert not compat.is_installed()
    after = {name: module for name, module in sys.modules.items() if name.startswith("torch")}
    assert after == before and sys.modules["torch"] is torch
    assert not hasattr(wright.backends, "__path__")


def test_as_torch_nests_and_leaves_an_outer_install_in_place():
    with compat.as_torch():
        with compat.as_torch() as torch:
            assert torch is wright
        assert compat.is_installed()
    assert not compat.is_installed()


@pytest.mark.parametrize(
    "statement, message",
    [
        ("import torchvision", "wright will not have torchvision: read images with NumPy"),
        ("from torchvision import transforms", "wright will not have torchvision:"),
        (
            "import torch.cuda.amp",
            "wright will not have torch.cuda.amp: wright computes in float32",
        ),
        ("from torch.cuda.amp import GradScaler", "wright will not have torch.cuda.amp:"),
        ("import torch._dynamo", "wright will not have torch._dynamo: wright runs eagerly"),
        ("import torch.nn.qat", "wright does not have torch.nn.qat yet"),
    ],
)
def test_missing_modules_fail_with_one_clear_line(statement, message, tmp_path):
    with pytest.raises(ImportError) as caught:
        imported(statement, tmp_path)
    assert str(caught.value).startswith(message) and "\n" not in str(caught.value)
    assert isinstance(caught.value, compat.TorchFeatureMissing)


def test_torch_names_of_wright_modules():
    assert compat.torch_name("wright") == "torch"
    assert compat.torch_name("wright.nn.functional") == "torch.nn.functional"
    assert compat.torch_name("wright.data") == "torch.utils.data"
    assert compat.torch_name("wright.data.loader") == "torch.utils.data.dataloader"


# ----- run_script: the engine of `wright torch SCRIPT.py` -----


def script(tmp_path, body: str, name: str = "train.py") -> str:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body))
    return str(path)


def run(capsys, path: str, *argv: str) -> tuple[int, str]:
    code = compat.run_script(path, argv)
    return code, capsys.readouterr().err


def test_script_runs_as_main_with_its_arguments_and_folder(tmp_path, capsys):
    script(tmp_path, "WIDTH = 3\n", name="helpers.py")
    path = script(
        tmp_path,
        """
        import sys
        import torch
        import torch.nn as nn
        from helpers import WIDTH

        assert __name__ == "__main__"
        layer = nn.Linear(WIDTH, 2)
        print(type(layer).__module__, sys.argv[1:], tuple(layer(torch.ones(1, WIDTH)).shape))
        """,
    )
    argv = sys.argv[:]
    assert compat.run_script(path, ["--epochs", "2"]) == 0
    assert capsys.readouterr().out == "wright.nn.linear ['--epochs', '2'] (1, 2)\n"
    assert sys.argv == argv and not compat.is_installed()


@pytest.mark.parametrize(
    "body, line",
    [
        (
            "import torch.nn as nn\n\nlayer = nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])\n",
            (
                "the script uses torch.nn.AdaptiveLogSoftmaxWithLoss (line 3 of train.py), which "
                "wright does not have yet"
            ),
        ),
        (
            "import torch\nx = torch.zeros(2, 2)\ny = x.to_sparse()\n",
            (
                "the script uses torch.Tensor.to_sparse (line 3 of train.py), which wright does not "
                "have yet"
            ),
        ),
        (
            "from torch.nn import AdaptiveLogSoftmaxWithLoss\n",
            (
                "the script uses torch.nn.AdaptiveLogSoftmaxWithLoss (line 1 of train.py), which "
                "wright does not have yet"
            ),
        ),
        (
            "import torch\n\nscaler = torch.cuda.amp.GradScaler()\n",
            (
                "the script uses torch.cuda.amp (line 3 of train.py), which wright will not have: "
                "wright computes in float32 on the CPU; remove autocast and GradScaler"
            ),
        ),
        (
            "import torch\nfrom torch.cuda.amp import autocast\n",
            (
                "the script uses torch.cuda.amp (line 2 of train.py), which wright will not have: "
                "wright computes in float32 on the CPU; remove autocast and GradScaler"
            ),
        ),
        (
            "import torch\n\nmodel = torch.compile(torch.nn.Linear(2, 2))\n",
            (
                "the script uses torch.compile (line 3 of train.py), which wright will not have: "
                "wright runs eagerly; call the model itself"
            ),
        ),
        (
            (
                "import torch\nx = torch.ones(2, requires_grad=True)\n"
                "(x * x).sum().backward(create_graph=True)\n"
            ),
            (
                "the script needs something wright does not have yet (line 3 of train.py): "
                "create_graph=True: wright computes first-order gradients only"
            ),
        ),
    ],
)
def test_a_missing_feature_is_named_in_one_line(tmp_path, capsys, body, line):
    code, err = run(capsys, script(tmp_path, body))
    assert code == 1
    assert err.startswith("wright torch: " + line) and err.count("\n") == 1


def test_the_line_is_the_scripts_own_even_inside_an_imported_module(tmp_path, capsys):
    script(
        tmp_path,
        "import torch\n\n\ndef make():\n    return torch.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [4])\n",
        name="model.py",
    )
    code, err = run(capsys, script(tmp_path, "import model\n\nmodel.make()\n"))
    assert code == 1 and "(line 5 of model.py)" in err


def test_a_torch_method_missing_on_a_scripts_module_subclass_is_named(tmp_path, capsys):
    pytest.importorskip("torch")  # PyTorch itself tells a missing method from a typo
    body = """
        import torch.nn as nn

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(2, 2)

        Net().to_empty(device="cpu")
        """
    code, err = run(capsys, script(tmp_path, body))
    assert code == 1
    assert "uses torch.nn.Module.to_empty (line 9 of train.py)" in err


class Bilinear(wright.nn.Module):
    """A stand-in for a wright layer that takes fewer arguments than PyTorch's."""

    __module__ = "wright.nn.bilinear"

    def __init__(self, in1_features, in2_features, out_features):
        super().__init__()


@pytest.mark.parametrize(
    "call",
    ["nn.Bilinear(2, 3, 4, bias=False)", "nn.Bilinear(\n    2,\n    3,\n    4,\n    False,\n)"],
)
def test_an_argument_only_pytorch_takes_is_named(tmp_path, capsys, monkeypatch, call):
    pytest.importorskip("torch")  # PyTorch's signature names a positional parameter
    monkeypatch.setattr(wright.nn, "Bilinear", Bilinear, raising=False)
    code, err = run(capsys, script(tmp_path, f"import torch.nn as nn\n\nlayer = {call}\n"))
    assert code == 1
    assert err == (
        "wright torch: the script uses torch.nn.Bilinear(bias=...) (line 3 of train.py), which "
        "wright does not have yet\n"
    )


@pytest.mark.parametrize(
    "body, error",
    [
        # The script's own bugs: a typo in its model, a typo in a torch name, a forgotten forward,
        # its own exceptions, a wrong call.
        (
            """
            import torch, torch.nn as nn

            class Net(nn.Module):
                def __init__(self):
                    super().__init__()
                    self.fc = nn.Linear(2, 3)

                def forward(self, x):
                    return self.fc2(x)

            Net()(torch.zeros(1, 2))
            """,
            AttributeError,
        ),
        ("import torch\ntorch.nn.Linaer(2, 3)\n", AttributeError),
        (
            (
                "import torch, torch.nn as nn\n\nclass Net(nn.Module):\n    pass\n\n"
                "Net()(torch.zeros(2))\n"
            ),
            NotImplementedError,
        ),
        ("raise ValueError('bad data')\n", ValueError),
        ("import torch.nn as nn\nnn.Linear(2, 3, colour='red')\n", TypeError),
        ("import no_such_package_anywhere\n", ModuleNotFoundError),
    ],
)
def test_the_scripts_own_errors_propagate(tmp_path, capsys, body, error):
    if "Linaer" in body or "colour" in body:
        pytest.importorskip("torch")  # without PyTorch, a torch-looking typo counts as missing
    path = script(tmp_path, body)
    with pytest.raises(error):
        compat.run_script(path)
    assert not compat.is_installed()
    assert "wright torch:" not in capsys.readouterr().err


def test_sys_exit_passes_through(tmp_path):
    with pytest.raises(SystemExit) as caught:
        compat.run_script(script(tmp_path, "import sys, torch\nsys.exit(3)\n"))
    assert caught.value.code == 3 and not compat.is_installed()


def test_cli_torch_command(tmp_path, capsys):
    path = script(tmp_path, "import sys\nimport torch\nprint(torch.__name__, sys.argv[1:])\n")
    assert main(["torch", path, "--lr", "0.1", "extra"]) == 0
    assert capsys.readouterr().out == "wright ['--lr', '0.1', 'extra']\n"
    amp = script(tmp_path, "import torch.cuda.amp\n", name="amp.py")
    assert main(["torch", amp]) == 1
    assert capsys.readouterr().err.startswith("wright torch: the script uses torch.cuda.amp")


def test_cli_torch_command_names_a_missing_script(tmp_path, capsys):
    assert main(["torch", str(tmp_path / "nope.py")]) == 1
    assert "no such script" in capsys.readouterr().err
