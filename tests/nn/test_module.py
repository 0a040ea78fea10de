"""Module registration, modes, state_dict, repr, Sequential, and saving and loading without pickle."""
import os
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from autograd_core import nn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Tower(nn.Module):
    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(np.array(2.0))
        self.body = nn.Sequential(nn.Linear(3, 4, rng=0), nn.BatchNorm(4), nn.ReLU())
        self.head = nn.Linear(4, 2, rng=1)
        self.tied = self.head        # the same module twice: its parameters count once
        self.note = "not state"

    def forward(self, x):
        return self.head(self.body(x)) * self.scale


def test_parameters_are_registered_by_assignment():
    model = Tower()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["scale", "body.0.weight", "body.0.bias", "body.1.gamma", "body.1.beta",
                     "head.weight", "head.bias"]
    assert len(model.parameters()) == 7
    assert [type(child).__name__ for child in model.children()] == ["Sequential", "Linear", "Linear"]
    assert model.num_parameters() == 1 + 12 + 4 + 4 + 4 + 8 + 2
    assert model.note == "not state"
    del model.head
    assert [name for name, _ in model.named_parameters()][-2:] == ["tied.weight", "tied.bias"]


def test_reassigning_a_parameter_with_a_plain_value_unregisters_it():
    layer = nn.Linear(2, 2, rng=0)
    layer.bias = None
    assert [name for name, _ in layer.named_parameters()] == ["weight"]


def test_module_without_super_init_gets_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.weight = nn.Parameter(np.ones(2))

    with pytest.raises(AttributeError, match=r"must call super\(\)\.__init__\(\)"):
        Broken()


def test_train_eval_and_zero_grad():
    model = Tower()
    assert all(module.training for module in model.modules())
    model.eval()
    assert not any(module.training for module in model.modules())
    model.train()
    model(np.ones((3, 3)) * np.arange(3)[:, None]).sum().backward()
    assert all(parameter.grad is not None for parameter in model.parameters())
    model.zero_grad()
    assert all(parameter.grad is None for parameter in model.parameters())


def test_to_cpu_keeps_values():
    model = Tower()
    before = model.state_dict()
    assert model.to("cpu") is model
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])
    with pytest.raises(ValueError, match="unknown device"):
        model.to("tpu")


def test_state_dict_holds_copies_of_parameters_and_buffers():
    model = Tower()
    state = model.state_dict()
    assert list(state) == ["scale", "body.0.weight", "body.0.bias", "body.1.gamma", "body.1.beta", "head.weight",
                           "head.bias", "body.1.running_mean", "body.1.running_var"]
    state["head.weight"][...] = 0
    assert np.abs(model.head.weight.numpy()).sum() > 0


def test_load_state_dict_reports_missing_unexpected_and_mis_shaped_entries():
    model = Tower()
    state = Tower().state_dict()
    del state["head.bias"]
    state["extra.weight"] = np.ones(2)
    state["body.0.weight"] = np.ones((4, 3))
    with pytest.raises(ValueError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert "missing entries ['head.bias']" in message
    assert "unexpected entries ['extra.weight']" in message
    assert "body.0.weight: expected shape (3, 4), got (4, 3)" in message


def test_load_state_dict_copies_values_in():
    source, target = nn.MLP([3, 5, 2], batch_norm="pre", rng=0), nn.MLP([3, 5, 2], batch_norm="pre", rng=1)
    source(np.random.default_rng(0).normal(size=(8, 3)))       # moves the running averages
    target.load_state_dict(source.state_dict())
    x = np.random.default_rng(1).normal(size=(4, 3))
    source.eval(), target.eval()
    np.testing.assert_array_equal(source(x).numpy(), target(x).numpy())


def test_repr_lists_sub_modules_and_shapes():
    text = repr(Tower())
    assert "(body): Sequential(" in text
    assert "(0): Linear(in_features=3, out_features=4, bias=True, weight: (3, 4), bias: (4,))" in text
    assert "(scale: ())" in text
    assert "BatchNorm(4, eps=1e-05, momentum=0.1" in text


def test_sequential_indexing_and_slicing():
    model = nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=1))
    assert len(model) == 3 and isinstance(model[1], nn.Tanh)
    x = np.ones((2, 2))
    np.testing.assert_allclose(model(x).numpy(), model[2](model[:2](x)).numpy())
    with pytest.raises(TypeError, match="Sequential holds Modules"):
        nn.Sequential(np.tanh)


def test_save_load_round_trip_is_bit_exact(tmp_path):
    model = nn.Sequential(nn.preprocessing.PCAWhitening().fit(np.random.default_rng(0).normal(size=(30, 3))),
                          nn.MLP([3, 4, 2], batch_norm="post", rng=0, dtype=np.float32))
    model(np.random.default_rng(1).normal(size=(6, 3)).astype(np.float32))
    path = tmp_path / "model.weights"                   # written to exactly this name
    nn.save(model, path)
    assert path.exists()
    loaded = nn.load(path)
    state = model.state_dict()
    assert list(loaded) == list(state)
    for name, array in state.items():
        assert loaded[name].dtype == array.dtype
        assert loaded[name].tobytes() == array.tobytes()
    fresh = nn.Sequential(nn.preprocessing.PCAWhitening(), nn.MLP([3, 4, 2], batch_norm="post", rng=5,
                                                                  dtype=np.float32))
    fresh.load_state_dict(loaded)
    x = np.random.default_rng(2).normal(size=(5, 3)).astype(np.float32)
    model.eval(), fresh.eval()
    assert fresh(x).numpy().tobytes() == model(x).numpy().tobytes()


def test_truncated_foreign_and_pickled_files_raise_clear_errors(tmp_path):
    good = tmp_path / "good.npz"
    nn.save(nn.Linear(20, 20, rng=0), good)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ValueError, match="cannot load"):
        nn.load(truncated)
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, weight=np.ones(3))
    with pytest.raises(ValueError, match="not written by nn.save"):
        nn.load(foreign)
    pickled = tmp_path / "pickled.npy"
    np.save(pickled, np.array([{"code": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="cannot load"):
        nn.load(pickled)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="cannot load"):
        nn.load(text)
    assert zipfile.is_zipfile(good)
    with pytest.raises(FileNotFoundError):
        nn.load(tmp_path / "absent.npz")


def test_state_saved_in_one_process_predicts_identically_in_another(tmp_path):
    X = np.random.default_rng(3).normal(size=(12, 4))
    model = nn.Sequential(nn.preprocessing.Standardization().fit(X), nn.MLP([4, 6, 3], batch_norm="pre", rng=2))
    nn.fit(model, (X, np.arange(12) % 3), epochs=2, batch_size=4, progress=False)
    model.eval()
    np.save(tmp_path / "inputs.npy", X)
    np.save(tmp_path / "expected.npy", model(X).numpy())
    nn.save(model, tmp_path / "state.npz")
    script = (
        "import numpy as np\nfrom autograd_core import nn\n"
        f"d = {str(tmp_path)!r}\n"
        "model = nn.Sequential(nn.preprocessing.Standardization(), nn.MLP([4, 6, 3], batch_norm='pre', rng=99))\n"
        "model.load_state_dict(nn.load(d + '/state.npz')).eval()\n"
        "out = model(np.load(d + '/inputs.npy')).numpy()\n"
        "assert out.tobytes() == np.load(d + '/expected.npy').tobytes(), 'predictions differ'\n"
        "print('identical')\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "identical"
