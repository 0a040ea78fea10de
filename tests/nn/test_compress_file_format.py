"""The compressed file: round trips that predict identically, real sizes, and refusals of damaged files."""
import json
import os
import struct
import zlib

import numpy as np
import pytest

from autograd_core import nn, optim
from autograd_core.nn import compress
from autograd_core.nn.compress import file_format

pytestmark = pytest.mark.usefixtures("float64_layers")  # written against float64 references

X = np.random.default_rng(0).normal(size=(20, 6)) * 3 + 1


def trained_mlp(seed=0, **options):
    model = nn.Sequential(nn.preprocessing.Standardization().fit(X), nn.MLP([6, 64, 32, 3], rng=seed, **options))
    y = np.random.default_rng(1).integers(0, 3, size=len(X))
    nn.fit(model, (X, y), epochs=2, batch_size=5, progress=False)
    return model


def round_trip(model, tmp_path, name="model.agcz"):
    path = tmp_path / name
    assert compress.save(model, path) == path
    loaded = compress.load(path)
    np.testing.assert_array_equal(nn.predict(loaded, X), nn.predict(model, X))
    return loaded, os.path.getsize(path)


def test_a_plain_model_round_trips(tmp_path):
    loaded, size = round_trip(trained_mlp(), tmp_path)
    assert isinstance(loaded, nn.Sequential)
    assert type(loaded[0]).__name__ == "Standardization"


def test_a_pruned_model_round_trips_smaller_and_stays_pruned(tmp_path):
    dense_size = round_trip(trained_mlp(), tmp_path, "dense.agcz")[1]
    model = trained_mlp()
    compress.prune(model, sparsity=0.8, scope="global")
    loaded, size = round_trip(model, tmp_path)
    assert size < 0.4 * dense_size
    assert all(isinstance(p, compress.MaskedParameter) for p in loaded.parameters() if p.ndim == 2)
    optimizer = optim.SGD(loaded.parameters(), lr=0.1, momentum=0.9)
    zeros = [p.numpy() == 0 for p in loaded.parameters() if p.ndim == 2]
    nn.fit(loaded, (X, np.zeros(len(X), dtype=int)), optimizer=optimizer, epochs=1, batch_size=5, progress=False)
    for pruned, weight in zip(zeros, [p for p in loaded.parameters() if p.ndim == 2]):
        assert np.all(weight.numpy()[pruned] == 0)


def test_a_pruned_shared_weight_model_round_trips_much_smaller(tmp_path):
    dense_size = round_trip(trained_mlp(), tmp_path, "dense.agcz")[1]
    model = trained_mlp()
    compress.prune(model, sparsity=0.8, scope="global")
    compress.share_weights(model, bits=3)
    loaded, size = round_trip(model, tmp_path)
    assert size < 0.2 * dense_size
    assert sum(isinstance(m, compress.SharedWeightLinear) for m in loaded.modules()) == 3
    assert compress.sparsity(loaded)["total"] == pytest.approx(0.8, abs=0.01)


def test_batch_norm_layer_norm_hashed_and_activations_round_trip(tmp_path):
    model = nn.Sequential(nn.preprocessing.MinMaxScaling().fit(X), nn.HashedLinear(6, 10, buckets=12, seed=4, rng=0),
                          nn.BatchNorm(10), nn.LeakyReLU(0.2), nn.Linear(10, 8, rng=1), nn.LayerNorm(8), nn.Tanh(),
                          nn.LeakyReLU(0.1, learnable=True), nn.Linear(8, 3, bias=False, rng=2), nn.Softmax())
    nn.fit(model, (X, np.zeros(len(X), dtype=int)), epochs=1, batch_size=5, progress=False)
    nn.compute_population_statistics(model, nn.DataLoader(X, batch_size=5))
    loaded, _ = round_trip(model, tmp_path)
    assert loaded[2].statistics == "population"


def test_the_float32_dtype_is_kept(tmp_path):
    model = nn.MLP([6, 5, 2], rng=0, dtype=np.float32)
    loaded, _ = round_trip(model, tmp_path)
    assert loaded[0].weight.dtype == np.float32


def test_unsupported_modules_are_refused_when_saving(tmp_path):
    with pytest.raises(TypeError, match="Maxout"):
        compress.save(nn.Sequential(nn.Maxout(3, 2)), tmp_path / "m.agcz")
    with pytest.raises(TypeError, match="nn.Module"):
        compress.save({"weight": np.ones(2)}, tmp_path / "m.agcz")


# --- refusals ----------------------------------------------------------------------------------------------
def saved_bytes(tmp_path):
    model = trained_mlp()
    compress.prune(model, sparsity=0.5)
    compress.share_weights(model, bits=2)
    path = tmp_path / "good.agcz"
    compress.save(model, path)
    return path.read_bytes()


def write(tmp_path, content):
    path = tmp_path / "bad.agcz"
    path.write_bytes(content)
    return path


def with_header(content, change):
    """A file whose header was edited by ``change`` and whose checksum was recomputed (a forged file)."""
    magic, version, length = struct.unpack_from("<4sBI", content)
    header = json.loads(content[9:9 + length])
    change(header)
    encoded = json.dumps(header).encode()
    body = struct.pack("<4sBI", magic, version, len(encoded)) + encoded + content[9 + length:-4]
    return body + struct.pack("<I", zlib.crc32(body))


def test_every_truncation_is_refused(tmp_path):
    content = saved_bytes(tmp_path)
    for length in sorted({0, 3, 8, 9, 20, len(content) // 2, len(content) - 5, len(content) - 1}):
        with pytest.raises(ValueError, match="cannot load"):
            compress.load(write(tmp_path, content[:length]))


def test_flipped_bytes_are_refused(tmp_path):
    content = saved_bytes(tmp_path)
    for position in range(0, len(content), max(1, len(content) // 40)):
        damaged = bytearray(content)
        damaged[position] ^= 0x5A
        with pytest.raises(ValueError, match="cannot load"):
            compress.load(write(tmp_path, bytes(damaged)))


def test_other_files_are_refused(tmp_path):
    nn.save(nn.MLP([3, 2]), tmp_path / "state.npz")
    with pytest.raises(ValueError, match="AGCZ"):
        compress.load(tmp_path / "state.npz")
    np.save(tmp_path / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="cannot load"):
        compress.load(tmp_path / "objects.npy")


def _set_first_linear(header, key, value):
    node = header["model"]["children"][1]["children"][0]
    node[key] = value


@pytest.mark.parametrize("change, message", [
    (lambda h: _set_first_linear(h, "in", 10 ** 12), "more than a file of this size|needs"),
    (lambda h: _set_first_linear(h, "out", -1), "positive integer"),
    (lambda h: _set_first_linear(h, "in", True), "positive integer"),
    (lambda h: h["model"]["children"][1]["children"][0]["centroids"].update(shape=[10 ** 9]), "needs"),
    (lambda h: h["model"]["children"][1]["children"][0]["centroids"].update(dtype="|O"), "dtype"),
    (lambda h: h["model"]["children"][1]["children"][0]["centroids"].update(blob=10 ** 6), "blob index"),
    (lambda h: h["model"]["children"][1]["children"][0]["indices"].update(count=10 ** 9), "should hold"),
    (lambda h: h["model"]["children"][1]["children"][0]["indices"].update(bit_count=10 ** 9), "cannot hold"),
    (lambda h: h["model"]["children"][1]["children"][0]["positions"]["gaps"].update(count=10 ** 9),
     "cannot keep"),
    (lambda h: h["blobs"][0].__setitem__(1, 10 ** 9), "runs past"),
    (lambda h: h["model"]["children"][1].update(type="os.system"), "unknown module type"),
    (lambda h: h["model"]["children"][1].update(children="rm -rf"), "list of children"),
    (lambda h: h.update(format="pickle"), "format"),
    (lambda h: h["model"]["children"][0].update(state={"mean": "__import__('os')"}), "blob, dtype and shape"),
])
def test_forged_headers_are_refused(tmp_path, change, message):
    content = with_header(saved_bytes(tmp_path), change)
    with pytest.raises(ValueError, match=message):
        compress.load(write(tmp_path, content))


def test_deep_nesting_is_refused(tmp_path):
    def nest(header):
        node = {"type": "ReLU", "state": {}}
        for _ in range(file_format.MAX_DEPTH + 5):
            node = {"type": "Sequential", "children": [node]}
        header["model"] = node
    with pytest.raises(ValueError, match="nested"):
        compress.load(write(tmp_path, with_header(saved_bytes(tmp_path), nest)))


def test_a_huge_declared_header_is_refused(tmp_path):
    body = struct.pack("<4sBI", b"AGCZ", 1, 2 ** 31) + b"{}"
    with pytest.raises(ValueError, match="header"):
        compress.load(write(tmp_path, body + struct.pack("<I", zlib.crc32(body))))


def test_nan_in_the_header_is_refused(tmp_path):
    content = saved_bytes(tmp_path)
    forged = with_header(content, lambda h: h["model"]["children"][1]["children"][1].update(extra=0))
    forged = forged.replace(b'"extra": 0', b'"extra": NaN')
    body = forged[:-4]
    with pytest.raises(ValueError, match="NaN"):
        compress.load(write(tmp_path, body + struct.pack("<I", zlib.crc32(body))))
