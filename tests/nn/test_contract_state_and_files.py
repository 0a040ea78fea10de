"""The contract of module state and state files: nothing lost, nothing half-done, nothing unbounded.

- Assigning to a buffer's name updates the buffer; a plain value never silently replaces a parameter.
- ``load_state_dict`` checks every entry first and changes nothing when one is bad; values take the
  dtype of what they replace, and a cast that would change them is refused.
- ``nn.load`` reads only numeric arrays, checks every declared size before decompressing or allocating
  (a deflate bomb, an absurd shape, a file cut in half are ValueErrors), and ``nn.save`` writes with the
  process's normal permissions, fsyncs before its atomic rename and leaves nothing behind when interrupted.
- ``nn.fit`` does not keep the last batch's graph alive.
"""
import gc
import os
import stat
import struct
import weakref
import zipfile

import numpy as np
import numpy.lib.format as npy_format
import pytest

import autograd_core as ag
from autograd_core import nn
from autograd_core.nn import serialization


def write_npz(path, entries, compression=zipfile.ZIP_STORED):
    """An archive laid out as nn.save lays it out, with any arrays (for files nn.save would refuse to write)."""
    entries = dict(entries)
    order = [name for name in entries]
    entries[serialization.FORMAT_KEY] = np.array(serialization.FORMAT)
    entries[serialization.ORDER_KEY] = np.array(order)
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, array in entries.items():
            with archive.open(name + ".npy", "w") as member:
                npy_format.write_array(member, np.asanyarray(array), allow_pickle=False)
    return path


def npy_header(shape, dtype="<f8"):
    """The bytes of a version 1.0 .npy header declaring ``shape`` and ``dtype``."""
    header = repr({"descr": dtype, "fortran_order": False, "shape": tuple(shape)}).encode("latin1")
    padding = 64 - (10 + len(header) + 1) % 64
    header += b" " * padding + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


# --- buffers and parameters by assignment -----------------------------------------------------
def test_assigning_to_a_buffer_name_updates_the_buffer():
    layer = nn.BatchNorm(3)
    layer.running_mean = np.full(3, 2.0)
    assert "running_mean" in layer.state_dict()
    np.testing.assert_array_equal(layer.state_dict()["running_mean"], [2.0, 2.0, 2.0])
    layer.running_var = ag.tensor(np.full(3, 4.0))            # a Tensor gives its array
    np.testing.assert_array_equal(layer.state_dict()["running_var"], [4.0, 4.0, 4.0])
    layer.eval()
    np.testing.assert_allclose(layer(np.full((1, 3), 4.0)).numpy(), np.ones((1, 3)), rtol=1e-5)


def test_assigning_a_non_array_or_text_to_a_buffer_is_a_type_error():
    layer = nn.BatchNorm(2)
    with pytest.raises(TypeError, match="a list to buffer 'running_mean'"):
        layer.running_mean = [0.0, 0.0]
    with pytest.raises(TypeError, match="dtype <U1"):
        layer.running_mean = np.array(["a", "b"])
    assert "running_mean" in layer.state_dict()


def test_assigning_a_plain_tensor_or_array_to_a_parameter_name_is_a_type_error():
    layer = nn.Linear(2, 3, rng=0)
    with pytest.raises(TypeError, match="parameter 'weight'.*nn.Parameter"):
        layer.weight = ag.tensor(np.zeros((2, 3)), requires_grad=True)
    with pytest.raises(TypeError, match="parameter 'bias'"):
        layer.bias = np.zeros(3)
    assert [name for name, _ in layer.named_parameters()] == ["weight", "bias"]
    layer.weight = nn.Parameter(np.ones((2, 3)))
    np.testing.assert_array_equal(layer.state_dict()["weight"], np.ones((2, 3)))


def test_assigning_a_plain_value_to_a_sub_module_name_is_a_type_error():
    model = nn.Sequential(nn.Linear(2, 2, rng=0))
    with pytest.raises(TypeError, match="sub-module '0'"):
        setattr(model, "0", "not a module")
    assert len(model.parameters()) == 2
    setattr(model, "0", None)                                       # None removes it, as in PyTorch
    assert getattr(model, "0") is None and model.parameters() == []


def test_assigning_none_to_a_parameter_keeps_the_name_without_a_value():
    layer = nn.Linear(2, 2, rng=0)
    layer.bias = None
    assert layer.bias is None and list(layer.state_dict()) == ["weight"]
    layer.bias = nn.Parameter(np.zeros(2))
    assert list(layer.state_dict()) == ["weight", "bias"]


def test_batch_norm_refuses_statistics_of_another_shape_instead_of_broadcasting_them():
    layer = nn.BatchNorm(3).eval()
    layer.running_mean = np.zeros(1)                                # would broadcast over the 3 units
    with pytest.raises(ValueError, match=r"buffer running_mean must have shape \(3,\), got \(1,\)"):
        layer(np.ones((2, 3)))
    fresh = nn.BatchNorm(3).eval()
    state = fresh.state_dict()
    state.update(population_mean=np.zeros(1), population_var=np.ones(1))   # not computed yet: any shape loads
    fresh.load_state_dict(state)
    with pytest.raises(ValueError, match="buffer population_mean must have shape"):
        fresh(np.ones((2, 3)))


def test_a_transform_refuses_loaded_statistics_whose_shapes_disagree():
    standardise = nn.preprocessing.Standardization()
    standardise.load_state_dict({"mean": np.zeros(3), "std": np.ones(1)})
    with pytest.raises(ValueError, match="statistics have shapes that do not fit together"):
        standardise.transform(np.ones((2, 3)))
    whiten = nn.preprocessing.PCAWhitening()
    whiten.load_state_dict({"mean": np.zeros(3), "components": np.eye(3)[:, :2], "scale": np.ones(3)})
    with pytest.raises(ValueError, match="statistics have shapes that do not fit together"):
        whiten(ag.tensor(np.ones((2, 3))))


# --- load_state_dict: all or nothing, in the module's own dtypes ------------------------------
def test_load_state_dict_changes_nothing_when_a_later_entry_is_bad():
    layer = nn.Linear(2, 2, rng=0)
    before = layer.state_dict()
    for bad_bias in (np.array(["a", "b"]), np.array([1 + 2j, 0j]), np.ones(3), None, {"x": 1}):
        state = {"weight": np.full((2, 2), 7.0), "bias": bad_bias}
        with pytest.raises(ValueError, match="nothing was changed.*bias"):
            layer.load_state_dict(state)
        for name, array in layer.state_dict().items():
            np.testing.assert_array_equal(array, before[name])


def test_load_state_dict_names_every_problem_at_once():
    layer = nn.Linear(2, 2, rng=0)
    with pytest.raises(ValueError) as error:
        layer.load_state_dict({"weight": np.ones((3, 3)), "bias": np.array(["x", "y"]), "extra": np.ones(1)})
    message = str(error.value)
    assert "extra" in message and "expected shape (2, 2), got (3, 3)" in message and "<U1" in message


def test_an_integer_running_var_from_a_file_is_cast_to_the_buffer_dtype(tmp_path):
    layer = nn.BatchNorm(2, dtype=np.float64)
    state = layer.state_dict()
    state["running_var"] = np.array([3, 5], dtype=np.int64)
    nn.save(state, tmp_path / "state.npz")
    layer.load_state_dict(nn.load(tmp_path / "state.npz"))
    assert layer.running_var.dtype == np.float64
    layer(np.array([[0.0, 0.0], [1.0, 3.0]]))                # one training step updates the running averages
    np.testing.assert_allclose(layer.running_var, [0.9 * 3 + 0.1 * 0.5, 0.9 * 5 + 0.1 * 4.5])


def test_parameters_loaded_from_another_dtype_take_their_own_dtype():
    layer = nn.Linear(2, 2, rng=0, dtype=np.float32)
    layer.load_state_dict({"weight": np.ones((2, 2), dtype=np.float64), "bias": np.array([1, 2])})
    assert layer.weight.dtype == np.float32 and layer.bias.dtype == np.float32
    np.testing.assert_array_equal(layer.bias.numpy(), [1.0, 2.0])


def test_a_cast_that_would_change_values_is_refused():
    layer = nn.Linear(1, 1, rng=0, dtype=np.float32)
    with pytest.raises(ValueError, match="do not fit the dtype float32"):
        layer.load_state_dict({"weight": np.array([[1e300]]), "bias": np.zeros(1)})

    class Counter(nn.Module):
        def __init__(self):
            super().__init__()
            self.register_buffer("count", np.zeros(1, dtype=np.int64))

    counter = Counter()
    with pytest.raises(ValueError, match="do not fit the dtype int64"):
        counter.load_state_dict({"count": np.array([2.5])})
    counter.load_state_dict({"count": np.array([3.0])})
    assert counter.count.dtype == np.int64 and counter.count[0] == 3


def test_loaded_values_are_copies():
    layer = nn.Linear(2, 1, rng=0)
    weight = np.ones((2, 1))
    layer.load_state_dict({"weight": weight, "bias": np.zeros(1)})
    weight[0, 0] = 100.0
    assert layer.weight.numpy()[0, 0] == 1.0


# --- nn.load reads numbers only --------------------------------------------------------------
@pytest.mark.parametrize("array", [
    np.array([1 + 1j, 2 - 1j]),                                          # complex
    np.array(["weights"]),                                               # string
    np.array([b"bytes"]),                                                # bytes
    np.zeros(2, dtype=[("a", "<f8"), ("b", "<i4")]),                     # structured
    np.array(["2024-01-01"], dtype="datetime64[D]"),                     # datetime
    np.array([1], dtype="timedelta64[s]"),                               # timedelta
], ids=["complex", "string", "bytes", "structured", "datetime", "timedelta"])
def test_load_refuses_entries_that_save_refuses(tmp_path, array):
    with pytest.raises(TypeError, match="only booleans, integers and floating-point numbers"):
        nn.save({"weight": array}, tmp_path / "refused.npz")
    path = write_npz(tmp_path / "crafted.npz", {"weight": array})
    with pytest.raises(ValueError, match=r"entry 'weight' has dtype .*refused"):
        nn.load(path)


# --- nn.load is bounded -------------------------------------------------------------------------
def write_deflate_bomb(path, uncompressed_bytes):
    """A valid nn state file whose one float64 array of zeros deflates ~1000:1."""
    count = uncompressed_bytes // 8
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("weight.npy", "w", force_zip64=True) as member:
            member.write(npy_header((count,)))
            chunk = bytes(1 << 20)
            left = count * 8
            while left:
                member.write(chunk[:min(left, len(chunk))])
                left -= min(left, len(chunk))
        for name, value in ((serialization.FORMAT_KEY, np.array(serialization.FORMAT)),
                            (serialization.ORDER_KEY, np.array(["weight"]))):
            with archive.open(name + ".npy", "w") as member:
                npy_format.write_array(member, value)
    return count


def test_a_deflate_bomb_is_refused_before_decompressing(tmp_path):
    path = tmp_path / "bomb.npz"
    count = write_deflate_bomb(path, 65 * 1024 * 1024 + 64)
    assert path.stat().st_size < 1024 * 1024                        # a 65 MiB array in well under 1 MiB
    with pytest.raises(ValueError, match="decompression bomb.*max_uncompressed_bytes"):
        nn.load(path)
    loaded = nn.load(path, max_uncompressed_bytes=128 * 1024 * 1024)  # trusted: the limit can be raised
    assert loaded["weight"].shape == (count,) and not loaded["weight"].any()


def test_a_small_compressed_file_loads_under_the_default_limit(tmp_path):
    path = tmp_path / "small.npz"
    count = write_deflate_bomb(path, 1024 * 1024)                  # highly compressible, but only 1 MiB
    assert nn.load(path)["weight"].shape == (count,)


@pytest.mark.parametrize("shape", [(10 ** 12,), (2 ** 40, 2 ** 40), (3, 4)])
def test_a_declared_shape_the_member_does_not_hold_is_a_value_error_not_a_memory_error(tmp_path, shape):
    path = tmp_path / "absurd.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("weight.npy", npy_header(shape) + bytes(16))   # 16 bytes of data, whatever it declares
        for name, value in ((serialization.FORMAT_KEY, np.array(serialization.FORMAT)),
                            (serialization.ORDER_KEY, np.array(["weight"]))):
            with archive.open(name + ".npy", "w") as member:
                npy_format.write_array(member, value)
    with pytest.raises(ValueError, match=r"declares shape .* but its member holds 16 bytes"):
        nn.load(path)


def test_the_limit_is_checked_and_other_compressions_and_encryption_are_refused(tmp_path):
    path = tmp_path / "model.npz"
    nn.save(nn.Linear(2, 2, rng=0), path)
    with pytest.raises(TypeError, match="max_uncompressed_bytes must be an integer"):
        nn.load(path, max_uncompressed_bytes=1e9)
    with pytest.raises(ValueError, match="max_uncompressed_bytes must be >= 0"):
        nn.load(path, max_uncompressed_bytes=-1)
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_LZMA) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    with pytest.raises(ValueError, match="compression method 14"):
        nn.load(path)
    nn.save(nn.Linear(2, 2, rng=0), path)
    content = bytearray(path.read_bytes())
    central = content.find(b"PK\x01\x02")                          # the first central directory entry
    content[central + 8] |= 0x1                                     # its "encrypted" flag
    path.write_bytes(bytes(content))
    with pytest.raises(ValueError, match="encrypted"):
        nn.load(path)


def test_a_file_cut_in_half_or_corrupted_is_a_value_error(tmp_path):
    good = tmp_path / "good.npz"
    nn.save(nn.Linear(30, 30, rng=0), good)
    content = good.read_bytes()
    cut = tmp_path / "cut.npz"
    cut.write_bytes(content[:len(content) // 2])
    with pytest.raises(ValueError, match="cannot load"):
        nn.load(cut)
    corrupted = tmp_path / "corrupted.npz"
    middle = len(content) // 3                                      # inside the weight's data
    corrupted.write_bytes(content[:middle] + bytes([content[middle] ^ 0xFF]) + content[middle + 1:])
    with pytest.raises(ValueError, match="cannot load"):
        nn.load(corrupted)


def test_entries_the_file_does_not_list_are_refused(tmp_path):
    path = write_npz(tmp_path / "extra.npz", {"weight": np.ones(2)})
    with zipfile.ZipFile(path, "a") as archive:
        with archive.open("smuggled.npy", "w") as member:
            npy_format.write_array(member, np.ones(1))
    with pytest.raises(ValueError, match="smuggled"):
        nn.load(path)


def test_a_parameter_named_file_round_trips(tmp_path):
    state = {"file": np.ones(2), "0.weight": np.zeros((2, 2))}      # numpy.savez(file, **kwds) would collide
    nn.save(state, tmp_path / "named.npz")
    assert list(nn.load(tmp_path / "named.npz")) == ["file", "0.weight"]


# --- nn.save: permissions, durability, interruption ------------------------------------------
posix_only = pytest.mark.skipif(os.name != "posix", reason="file modes and umask are POSIX")


@posix_only
def test_save_uses_the_normal_permissions_of_the_process(tmp_path):
    previous = os.umask(0o022)
    try:
        nn.save(nn.Linear(2, 2, rng=0), tmp_path / "model.npz")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "model.npz").stat().st_mode) == 0o644


@posix_only
def test_save_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "model.npz"
    path.write_bytes(b"old")
    path.chmod(0o644)
    previous = os.umask(0o077)
    try:
        nn.save(nn.Linear(2, 2, rng=0), path)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert list(nn.load(path)) == ["weight", "bias"]


def test_save_fsyncs_the_file_before_renaming_it(tmp_path, monkeypatch):
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(descriptor):
        events.append(("fsync", os.path.basename(os.readlink(f"/proc/self/fd/{descriptor}"))
                       if os.path.exists("/proc/self/fd") else "file"))
        real_fsync(descriptor)

    def replace(source, target):
        events.append(("replace", os.path.basename(source)))
        real_replace(source, target)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    nn.save(nn.Linear(2, 2, rng=0), tmp_path / "model.npz")
    kinds = [kind for kind, _ in events]
    assert "fsync" in kinds and "replace" in kinds
    assert kinds.index("fsync") < kinds.index("replace")
    if os.path.exists("/proc/self/fd"):
        assert events[kinds.index("fsync")][1] == events[kinds.index("replace")][1]   # the temporary file


@pytest.mark.parametrize("interruption", [KeyboardInterrupt, OSError])
def test_an_interrupted_save_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch, interruption):
    path = tmp_path / "model.npz"
    nn.save(nn.Linear(2, 2, rng=0), path)
    before = path.read_bytes()
    real_write_array = npy_format.write_array
    calls = []

    def write_array(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:                                         # half-way through the archive
            raise interruption("interrupted")
        return real_write_array(*args, **kwargs)

    monkeypatch.setattr(npy_format, "write_array", write_array)
    with pytest.raises(interruption):
        nn.save(nn.Linear(2, 2, rng=1), path)
    assert os.listdir(tmp_path) == ["model.npz"]
    assert path.read_bytes() == before


# --- fit lets go of the last batch's graph ----------------------------------------------------
class RecordingPenalty(nn.ActivityPenalty):
    """An ActivityPenalty that keeps a weak reference to every activation it sees."""

    seen = []

    def forward(self, h):
        RecordingPenalty.seen.append(weakref.ref(h))
        return super().forward(h)


def test_fit_does_not_keep_the_last_batch_graph_alive_through_activity_penalty():
    RecordingPenalty.seen = []
    model = nn.Sequential(nn.Linear(3, 8, rng=0), nn.ReLU(), RecordingPenalty(l1=1e-3), nn.Linear(8, 2, rng=1))
    X = np.random.default_rng(0).normal(size=(16, 3))
    nn.fit(model, (X, np.arange(16) % 2), epochs=2, batch_size=8, progress=False)
    gc.collect()
    assert RecordingPenalty.seen and all(reference() is None for reference in RecordingPenalty.seen)
    assert model[2].last_penalty is None
