"""An optimizer's state in a file: saved in one process, loaded in another, without pickle, checked first.

``nn.save(optimizer, path)`` (or ``nn.save(optimizer.state_dict(), path)``) and
``optimizer.load_state_dict(nn.load(path))``: training continued in a fresh
process is bit-identical to training continued in the first, the file holds
only numeric .npy members plus JSON text, and a tampered file or a bad saved
setting is refused with the optimizer left as it was.
"""
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import numpy.lib.format as npy_format
import pytest

from autograd_core import nn, optim
from autograd_core.nn import serialization

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Each case builds the same model and optimizer in both processes; the text is run by each of them.
CASES = '''
import numpy as np
from autograd_core import nn, optim

MAKERS = {
    "sgd-momentum": lambda m: optim.SGD(m.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-3),
    "sgd-nesterov": lambda m: optim.SGD(m.parameters(), lr=0.05, momentum=0.9, nesterov=True),
    "sgd-reformulated": lambda m: optim.SGD(m.parameters(), lr=0.05, momentum=0.9, nesterov="reformulated"),
    "delta-bar-delta": lambda m: optim.DeltaBarDelta(m.parameters(), lr=0.05),
    "adagrad": lambda m: optim.AdaGrad(m.parameters(), lr=0.1),
    "rmsprop": lambda m: optim.RMSProp(m.parameters(), lr=0.01, momentum=0.5, nesterov=True),
    "adadelta": lambda m: optim.AdaDelta(m.parameters()),
    "adam-groups": lambda m: optim.Adam([{"params": m[0].parameters(), "lr": 0.01},
                                         {"params": m[2].parameters()}], lr=0.05, eps_inside_sqrt=False),
}


def build(seed):
    return nn.Sequential(nn.Linear(3, 5, rng=seed), nn.Tanh(), nn.Linear(5, 2, rng=seed + 1))


def train(model, opt, X, y, steps):
    for step in range(steps):
        rows = slice(2 * step % len(X), 2 * step % len(X) + 4)

        def closure():
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(X[rows]), y[rows])
            loss.backward()
            return loss

        opt.step(closure)
'''
namespace = {}
exec(CASES, namespace)
MAKERS, build, train = namespace["MAKERS"], namespace["build"], namespace["train"]

CONTINUE_ELSEWHERE = CASES + '''
import sys
folder = sys.argv[1]
X, y = np.load(folder + "/X.npy"), np.load(folder + "/y.npy")
for name, make in MAKERS.items():
    model = build(seed=50)                      # other initial weights: the file must overwrite them
    opt = make(model)
    model.load_state_dict(nn.load(f"{folder}/{name}.model.npz"))
    opt.load_state_dict(nn.load(f"{folder}/{name}.optim.npz"))
    train(model, opt, X, y, 3)
    nn.save(model, f"{folder}/{name}.after.npz")
print("done")
'''


def data():
    generator = np.random.default_rng(0)
    return generator.normal(size=(12, 3)), generator.integers(0, 2, size=12)


def trained(name):
    X, y = data()
    model = build(seed=0)
    opt = MAKERS[name](model)
    train(model, opt, X, y, 4)
    return model, opt


def test_optimizer_state_saved_in_one_process_continues_identically_in_another(tmp_path):
    X, y = data()
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    expected = {}
    for number, name in enumerate(MAKERS):
        model, opt = trained(name)
        nn.save(model, tmp_path / f"{name}.model.npz")
        # both spellings: the optimizer itself, or its state_dict()
        nn.save(opt if number % 2 else opt.state_dict(), tmp_path / f"{name}.optim.npz")
        train(model, opt, X, y, 3)
        expected[name] = model.state_dict()
    result = subprocess.run([sys.executable, "-c", CONTINUE_ELSEWHERE, str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    for name, state in expected.items():
        elsewhere = nn.load(tmp_path / f"{name}.after.npz")
        assert list(elsewhere) == list(state)
        for entry, array in state.items():
            assert elsewhere[entry].tobytes() == array.tobytes(), f"{name}: {entry} differs"


def test_an_optimizer_file_holds_only_numeric_arrays_and_json_text(tmp_path):
    _, opt = trained("adam-groups")
    path = nn.save(opt, tmp_path / "adam.npz")
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        assert all(name.endswith(".npy") for name in names)
        for name in names:
            with archive.open(name) as member:
                array = npy_format.read_array(member, allow_pickle=False)   # would raise on a pickled member
            assert array.dtype.kind in ("f", "i", "u", "b", "U")
    loaded = nn.load(path)
    assert loaded["optimizer"] == "Adam"
    assert [group["lr"] for group in loaded["param_groups"]] == [0.01, 0.05]
    assert loaded["state"][0]["step"] == 4 and isinstance(loaded["state"][0]["step"], int)
    np.testing.assert_array_equal(loaded["state"][3]["A"], opt.state_dict()["state"][3]["A"])


def rewrite_member(path, entry, array=None, raw=None):
    """Replace one member of a saved file by another array (or raw bytes), keeping the rest."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    members[entry + ".npy"] = raw
    if array is not None:
        with zipfile.ZipFile(path, "w") as archive:
            for name, content in members.items():
                if name == entry + ".npy":
                    with archive.open(name, "w") as member:
                        npy_format.write_array(member, array)
                else:
                    archive.writestr(name, content)
        return
    with zipfile.ZipFile(path, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)


def test_an_optimizer_file_with_a_complex_or_text_state_array_is_refused(tmp_path):
    _, opt = trained("adagrad")
    for bad in (np.ones((3, 5), dtype=complex), np.full((3, 5), "x")):
        path = nn.save(opt, tmp_path / "adagrad.npz")
        rewrite_member(path, "state.0.A", array=bad)
        with pytest.raises(ValueError, match="entry 'state.0.A' has dtype"):
            nn.load(path)


def test_an_optimizer_file_declaring_an_absurd_shape_is_a_value_error(tmp_path):
    _, opt = trained("adagrad")
    path = nn.save(opt, tmp_path / "adagrad.npz")
    header = npy_format.header_data_from_array_1_0(np.zeros(1))
    header["shape"] = (10 ** 13,)
    import io
    buffer = io.BytesIO()
    npy_format.write_array_header_1_0(buffer, header)
    rewrite_member(path, "state.0.A", raw=buffer.getvalue() + bytes(8))
    with pytest.raises(ValueError, match="declares shape"):
        nn.load(path)


def test_an_optimizer_file_with_a_foreign_json_object_is_refused(tmp_path):
    _, opt = trained("adagrad")
    path = nn.save(opt, tmp_path / "adagrad.npz")
    with zipfile.ZipFile(path) as archive:
        with archive.open(serialization.STRUCTURE_KEY + ".npy") as member:
            structure = json.loads(str(npy_format.read_array(member)))
    structure["__dict__"].append(["extra", {"__class__": "os.system"}])
    rewrite_member(path, serialization.STRUCTURE_KEY, array=np.array(json.dumps(structure)))
    with pytest.raises(ValueError, match="an object that nn.save never writes"):
        nn.load(path)


def snapshot(opt):
    state = opt.state_dict()
    return json.dumps(state["param_groups"]), {index: {name: np.array(value) for name, value in entries.items()}
                                               for index, entries in state["state"].items()}


def assert_unchanged(opt, before):
    groups, state = snapshot(opt)
    assert groups == before[0]
    assert state.keys() == before[1].keys()
    for index, entries in state.items():
        for name, value in entries.items():
            np.testing.assert_array_equal(value, before[1][index][name])


@pytest.mark.parametrize("setting, value, error", [
    ("lr", float("nan"), ValueError), ("lr", float("inf"), ValueError), ("lr", -0.1, ValueError),
    ("lr", "0.1", TypeError), ("lr", None, TypeError), ("rho", 1.5, ValueError),
    ("weight_decay", float("inf"), ValueError), ("eps", -1e-8, ValueError), ("eps_inside_sqrt", "yes", TypeError),
])
def test_loading_a_bad_saved_setting_is_refused_and_changes_nothing(tmp_path, setting, value, error):
    _, opt = trained("adam-groups")
    saved = nn.load(nn.save(opt, tmp_path / "adam.npz"))
    saved["param_groups"][1][setting] = value
    saved["state"][0]["A"] = saved["state"][0]["A"] * 2             # an earlier change that must not land
    before = snapshot(opt)
    with pytest.raises(error, match=f"group 1 has a bad setting: .*{setting}"):
        opt.load_state_dict(saved)
    assert_unchanged(opt, before)


def test_loading_a_mis_shaped_or_non_numeric_state_array_changes_nothing():
    _, opt = trained("adagrad")
    before = snapshot(opt)
    for bad, error, message in ((np.ones(3), ValueError, "shape"), (np.full(2, "x"), TypeError, "dtype")):
        saved = opt.state_dict()
        saved["state"][0]["A"] = saved["state"][0]["A"] + 1.0
        saved["state"][3]["A"] = bad
        with pytest.raises(error, match=message):
            opt.load_state_dict(saved)
        assert_unchanged(opt, before)


def test_loading_a_state_of_another_layout_or_kind_says_what_differs(tmp_path):
    model, opt = trained("adagrad")
    nn.save(model, tmp_path / "model.npz")
    with pytest.raises(ValueError, match="keys 'state' and 'param_groups'"):
        opt.load_state_dict(nn.load(tmp_path / "model.npz"))       # a model's file is not an optimizer's
    nn.save(opt, tmp_path / "adagrad.npz")
    with pytest.raises(ValueError, match="unexpected entries"):
        model.load_state_dict(nn.load(tmp_path / "adagrad.npz"))
    with pytest.raises(ValueError, match="saved by AdaGrad, not Adam"):
        optim.Adam(model.parameters()).load_state_dict(nn.load(tmp_path / "adagrad.npz"))
    saved = opt.state_dict()
    saved["state"][7] = {"A": np.ones(2)}
    with pytest.raises(ValueError, match="names parameter 7, but there are 4, numbered 0 to 3"):
        opt.load_state_dict(saved)
    saved = opt.state_dict()
    saved["param_groups"][0]["momentum"] = 0.5
    with pytest.raises(ValueError, match=r"setting\(s\) \['momentum'\]"):
        opt.load_state_dict(saved)


def test_a_saved_state_is_checked_when_loaded_from_a_file_of_another_process(tmp_path):
    _, opt = trained("sgd-momentum")
    path = nn.save(opt, tmp_path / "sgd.npz")
    with zipfile.ZipFile(path) as archive:
        with archive.open(serialization.STRUCTURE_KEY + ".npy") as member:
            text = str(npy_format.read_array(member))
    rewrite_member(path, serialization.STRUCTURE_KEY, array=np.array(text.replace('"lr", 0.05', '"lr", NaN')))
    loaded = nn.load(path)
    assert np.isnan(loaded["param_groups"][0]["lr"])
    with pytest.raises(ValueError, match="lr must be a finite number"):
        opt.load_state_dict(loaded)
    assert opt.param_groups[0]["lr"] == 0.05


def test_a_schedule_state_round_trips_through_a_file_with_its_numbers_exact(tmp_path):
    model, opt = trained("sgd-momentum")
    schedule = optim.ReduceOnPlateau(opt, factor=0.5, patience=1)
    for loss in (3.0, 2.0, 2.5, 2.6):
        schedule.step(loss)
    path = nn.save(schedule, tmp_path / "schedule.npz")
    fresh = optim.ReduceOnPlateau(MAKERS["sgd-momentum"](build(seed=0)), factor=0.5, patience=1)
    fresh.load_state_dict(nn.load(path))
    assert fresh.state_dict() == schedule.state_dict()
    assert isinstance(fresh.bad_steps, int) and isinstance(fresh.best, float)


@pytest.mark.parametrize("step, error, message", [
    (-3, ValueError, "integer >= 0"), (float("nan"), ValueError, "finite"), ([1], TypeError, "an array or a number"),
])
def test_a_saved_counter_is_checked(step, error, message):
    _, opt = trained("adam-groups")
    before = snapshot(opt)
    saved = opt.state_dict()
    saved["state"][2]["step"] = step
    with pytest.raises(error, match=message):
        opt.load_state_dict(saved)
    assert_unchanged(opt, before)
