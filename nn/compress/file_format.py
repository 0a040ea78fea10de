"""The compressed model file: architecture, sparse positions, codebooks and Huffman-coded indices, no pickle.

``save(model, path)`` writes a model built from ``nn``'s layers (Sequential,
Linear, pruned or not, SharedWeightLinear, LowRankLinear, HashedLinear, the activations,
BatchNorm, LayerNorm and the fitted transforms) so that ``load(path)``
returns a Module that predicts identically. It is where Section 3.7.3's
pipeline pays off in bytes: a pruned weight matrix is stored as the
Huffman-coded gaps between its kept positions (relative indices) and its
kept values; a shared-weight layer as its codebook and the Huffman-coded
index of each kept weight.

Layout, after safetensors: the magic ``AGCZ``, a version byte, the length
of a JSON header (little-endian uint32), the header, the blobs it points to,
and a CRC-32 of all that. The header describes the modules and, for every
array, its dtype (from a short list of numeric types), shape and blob.
Nothing is ever unpickled or evaluated. Every declared size is checked
against the bytes present before anything is allocated, and the memory a
file may ask for is bounded by its own size, so a damaged, truncated or
malicious file raises ``ValueError`` rather than running code or exhausting
memory.
"""
import json
import os
import struct
import tempfile
import zlib

import numpy

from .. import activations, normalization, preprocessing
from ..arrays import to_numpy
from ..hashed import HashedLinear
from ..layers import Linear
from ..module import Module, Sequential
from . import huffman
from .low_rank import LowRankLinear
from .pruning import attach_mask, mask_of
from .quantization import SharedWeightLinear

MAGIC = b"AGCZ"
VERSION = 1
FORMAT = "autograd-core-compressed-model"
MAX_HEADER_BYTES = 1 << 20
MAX_DEPTH = 64
# a file may ask for at most this many array elements per byte of its own size (or the floor below)
ELEMENTS_PER_FILE_BYTE = 1024
ELEMENT_FLOOR = 1 << 20
DTYPES = ("<f2", "<f4", "<f8", "|b1", "|u1", "<u2", "<u4", "<u8", "|i1", "<i2", "<i4", "<i8")
_PREFIX = struct.Struct("<4sBI")

_STATELESS = {"ReLU": activations.ReLU, "Tanh": activations.Tanh, "Sigmoid": activations.Sigmoid,
              "Identity": activations.Identity, "HardTanh": activations.HardTanh}
_TRANSFORMS = {"MeanCentering": preprocessing.MeanCentering, "Standardization": preprocessing.Standardization,
               "MinMaxScaling": preprocessing.MinMaxScaling, "NonNegativeShift": preprocessing.NonNegativeShift}


# --- writing ----------------------------------------------------------------------------------------------
class _Writer:
    def __init__(self):
        self.blobs = []
        self.size = 0

    def blob(self, data):
        self.blobs.append(bytes(data))
        self.size += len(data)
        return len(self.blobs) - 1

    def array(self, array):
        array = to_numpy(array)
        array = numpy.ascontiguousarray(array).reshape(array.shape)  # ascontiguousarray makes 0-d arrays 1-d
        array = array.astype(array.dtype.newbyteorder("<"), copy=False)
        if array.dtype.str not in DTYPES:
            raise TypeError(f"cannot store an array of dtype {array.dtype}; supported: {DTYPES}")
        return {"blob": self.blob(array.tobytes()), "dtype": array.dtype.str, "shape": list(array.shape)}

    def huffman(self, values):
        stream = huffman.encode(numpy.asarray(values, dtype=numpy.int64))
        return {"symbols": self.array(stream.symbols), "lengths": self.array(stream.lengths),
                "bits": self.blob(stream.payload), "bit_count": stream.bit_count, "count": stream.count}

    def positions(self, mask):
        """The kept positions of a matrix: "dense", or the Huffman-coded gaps p_0 + 1, p_1 - p_0, ..."""
        if mask is None or mask.all():
            return {"dense": True}
        kept = numpy.flatnonzero(mask)
        return {"dense": False, "gaps": self.huffman(numpy.diff(kept, prepend=-1))}

    def state(self, module):
        return {name: self.array(value) for name, value in module.state_dict().items()}


def _describe(module, writer, depth=0):
    """The header node of ``module``, its arrays written to ``writer``."""
    if depth > MAX_DEPTH:
        raise ValueError(f"the model is nested more than {MAX_DEPTH} levels deep")
    name = type(module).__name__
    bias = None if getattr(module, "bias", None) is None else writer.array(module.bias.data)
    if isinstance(module, Sequential):
        return {"type": "Sequential", "children": [_describe(child, writer, depth + 1) for child in module]}
    if type(module) is Linear:
        mask = mask_of(module.weight)
        mask = None if mask is None else to_numpy(mask)
        weight = to_numpy(module.weight.data)
        values = weight.ravel() if mask is None else weight[mask]
        return {"type": "Linear", "in": module.in_features, "out": module.out_features, "bias": bias,
                "pruned": mask is not None, "positions": writer.positions(mask), "values": writer.array(values)}
    if type(module) is SharedWeightLinear:
        mask = to_numpy(module.mask)
        return {"type": "SharedWeightLinear", "in": module.in_features, "out": module.out_features, "bias": bias,
                "centroids": writer.array(module.centroids.data), "positions": writer.positions(mask),
                "indices": writer.huffman(to_numpy(module.indices)[mask])}
    if type(module) is HashedLinear:
        return {"type": "HashedLinear", "in": module.in_features, "out": module.out_features,
                "buckets": module.buckets, "seed": module.seed, "weight": writer.array(module.weight.data),
                "bias": bias}
    if type(module) is LowRankLinear:
        return {"type": "LowRankLinear", "fix_U": module.fix_U, "U": writer.array(module.U), "Vt":
                writer.array(module.Vt.data), "bias": bias}
    if type(module) in _STATELESS.values() or type(module) in _TRANSFORMS.values():
        return {"type": name, "state": writer.state(module)}
    if type(module) is activations.LeakyReLU:
        return {"type": name, "learnable": module.learnable, "state": writer.state(module),
                "alpha": None if module.learnable else module.alpha}
    if type(module) is activations.Softmax:
        return {"type": name, "axis": module.axis}
    if type(module) is normalization.BatchNorm:
        return {"type": name, "num_features": module.num_features, "eps": module.eps, "momentum": module.momentum,
                "statistics": module.statistics, "state": writer.state(module)}
    if type(module) is normalization.LayerNorm:
        return {"type": name, "num_features": module.num_features, "eps": module.eps, "state": writer.state(module)}
    raise TypeError(f"nn.compress.save cannot store a {name}; it stores Sequential models of Linear, "
                    "SharedWeightLinear, LowRankLinear, HashedLinear, activations, BatchNorm, LayerNorm and "
                    "fitted transforms")


def save(model, path):
    """Write ``model`` to ``path`` in the compressed format; returns ``path``. Sizes: ``os.path.getsize(path)``."""
    if not isinstance(model, Module):
        raise TypeError(f"nn.compress.save expects an nn.Module, got {type(model).__name__}")
    writer = _Writer()
    node = _describe(model, writer)
    offsets = numpy.cumsum([0] + [len(blob) for blob in writer.blobs])
    header = json.dumps({"format": FORMAT, "model": node,
                         "blobs": [[int(start), len(blob)] for start, blob in zip(offsets, writer.blobs)]},
                        separators=(",", ":"), allow_nan=False).encode("utf-8")
    if len(header) > MAX_HEADER_BYTES:
        raise ValueError(f"the model's description takes {len(header)} bytes, more than {MAX_HEADER_BYTES}")
    body = _PREFIX.pack(MAGIC, VERSION, len(header)) + header + b"".join(writer.blobs)
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".agcz.tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(body)
            stream.write(struct.pack("<I", zlib.crc32(body)))
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    return path


# --- reading ----------------------------------------------------------------------------------------------
class _Reader:
    def __init__(self, blobs, payload, file_size):
        self.payload = payload
        if not isinstance(blobs, list):
            raise ValueError("the blob table is not a list")
        self.blobs = []
        for entry in blobs:
            if not (isinstance(entry, list) and len(entry) == 2 and all(_is_count(value) for value in entry)):
                raise ValueError(f"a blob entry must be [offset, length], got {entry!r}")
            start, length = entry
            if start + length > len(payload):
                raise ValueError(f"a blob [{start}, {length}] runs past the {len(payload)} bytes of data")
            self.blobs.append((start, length))
        self.budget = max(ELEMENT_FLOOR, ELEMENTS_PER_FILE_BYTE * file_size)

    def allow(self, elements, what):
        """Refuse a declared allocation that the file's size cannot justify."""
        if elements > self.budget:
            raise ValueError(f"{what} declares {elements} elements, more than a file of this size may ask for")
        self.budget -= elements

    def blob(self, index):
        if not _is_count(index) or index >= len(self.blobs):
            raise ValueError(f"blob index {index!r} is not in the blob table of {len(self.blobs)} entries")
        start, length = self.blobs[index]
        return self.payload[start:start + length]

    def array(self, spec, kinds="biuf", shape=None):
        if not isinstance(spec, dict) or set(spec) != {"blob", "dtype", "shape"}:
            raise ValueError(f"an array must be described by blob, dtype and shape, got {spec!r}")
        if spec["dtype"] not in DTYPES:
            raise ValueError(f"dtype {spec['dtype']!r} is not one of {DTYPES}")
        dtype = numpy.dtype(spec["dtype"])
        if dtype.kind not in kinds:
            raise ValueError(f"expected an array of kind {kinds!r}, got dtype {dtype}")
        declared = spec["shape"]
        if not isinstance(declared, list) or len(declared) > 8 or not all(_is_count(size) for size in declared):
            raise ValueError(f"an array shape must be a list of at most 8 non-negative integers, got {declared!r}")
        if shape is not None and tuple(declared) != tuple(shape):
            raise ValueError(f"expected an array of shape {tuple(shape)}, got {tuple(declared)}")
        data = self.blob(spec["blob"])
        if int(numpy.prod(declared, dtype=object)) * dtype.itemsize != len(data):
            raise ValueError(f"an array of shape {declared} and dtype {dtype} needs "
                             f"{int(numpy.prod(declared, dtype=object)) * dtype.itemsize} bytes, its blob has "
                             f"{len(data)}")
        return numpy.frombuffer(data, dtype=dtype).reshape(tuple(declared)).astype(dtype.newbyteorder("="))

    def huffman(self, spec, count, largest):
        """``count`` integers in [0, largest], Huffman-decoded."""
        if not isinstance(spec, dict) or set(spec) != {"symbols", "lengths", "bits", "bit_count", "count"}:
            raise ValueError(f"a Huffman stream must be described by symbols, lengths, bits, bit_count and count, "
                             f"got {spec!r}")
        if spec["count"] != count or not _is_count(spec["bit_count"]):
            raise ValueError(f"a Huffman stream should hold {count} symbols, its header says {spec['count']!r}")
        symbols = self.array(spec["symbols"], kinds="u")
        lengths = self.array(spec["lengths"], kinds="u")
        if symbols.ndim != 1 or (symbols.size and int(symbols.max()) > largest):
            raise ValueError(f"Huffman symbols must be a list of integers up to {largest}")
        stream = huffman.HuffmanStream(symbols, lengths, self.blob(spec["bits"]), count, spec["bit_count"])
        return huffman.decode(stream)

    def positions(self, spec, rows, columns):
        """The boolean mask of kept positions of a rows x columns matrix."""
        size = rows * columns
        self.allow(size, "a weight matrix")
        if not isinstance(spec, dict) or not isinstance(spec.get("dense"), bool):
            raise ValueError(f"positions must say whether they are dense, got {spec!r}")
        if spec["dense"]:
            return numpy.ones((rows, columns), dtype=bool)
        gaps_spec = spec.get("gaps")
        count = gaps_spec.get("count") if isinstance(gaps_spec, dict) else None
        if not _is_count(count) or count > size:
            raise ValueError(f"a {rows} x {columns} matrix cannot keep {count!r} positions")
        gaps = self.huffman(gaps_spec, count, size)
        if count and gaps.min() < 1:
            raise ValueError("gaps between kept positions must be at least 1")
        kept = numpy.cumsum(gaps) - 1
        if count and kept[-1] >= size:
            raise ValueError(f"a kept position {kept[-1]} lies outside the {rows} x {columns} matrix")
        mask = numpy.zeros(size, dtype=bool)
        mask[kept] = True
        return mask.reshape(rows, columns)

    def state(self, spec):
        if not isinstance(spec, dict):
            raise ValueError(f"a module state must be a mapping of arrays, got {spec!r}")
        return {str(name): self.array(value) for name, value in spec.items()}


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2 ** 62


def _size(node, key):
    value = node.get(key)
    if not _is_count(value) or value < 1:
        raise ValueError(f"{node.get('type')} needs a positive integer {key!r}, got {value!r}")
    return value


def _bias(reader, node, columns, dtype):
    if node.get("bias") is None:
        return None
    bias = reader.array(node["bias"], kinds="f", shape=(columns,))
    if bias.dtype != dtype:
        raise ValueError(f"the bias has dtype {bias.dtype}, the weights {dtype}")
    return bias


def _build(node, reader, depth=0):
    if depth > MAX_DEPTH:
        raise ValueError(f"the model is nested more than {MAX_DEPTH} levels deep")
    if not isinstance(node, dict) or not isinstance(node.get("type"), str):
        raise ValueError(f"a module must be described by a mapping with a type, got {node!r}")
    kind = node["type"]
    if kind == "Sequential":
        children = node.get("children")
        if not isinstance(children, list):
            raise ValueError("a Sequential needs a list of children")
        return Sequential(*[_build(child, reader, depth + 1) for child in children])
    if kind == "Linear":
        rows, columns = _size(node, "in"), _size(node, "out")
        mask = reader.positions(node.get("positions"), rows, columns)
        values = reader.array(node.get("values"), kinds="f", shape=(int(mask.sum()),))
        layer = Linear(rows, columns, bias=node.get("bias") is not None, init="zeros", dtype=values.dtype)
        weight = numpy.zeros((rows, columns), dtype=values.dtype)
        weight[mask] = values
        layer.weight.data = weight
        if layer.bias is not None:
            layer.bias.data = _bias(reader, node, columns, values.dtype)
        if node.get("pruned") is True:
            attach_mask(layer, "weight", mask)
        elif node.get("pruned") is not False or not mask.all():
            raise ValueError("an unpruned Linear must have dense positions")
        return layer
    if kind == "SharedWeightLinear":
        rows, columns = _size(node, "in"), _size(node, "out")
        centroids = reader.array(node.get("centroids"), kinds="f")
        if centroids.ndim != 1 or centroids.size < 1:
            raise ValueError("centroids must be a non-empty vector")
        mask = reader.positions(node.get("positions"), rows, columns)
        indices = numpy.zeros((rows, columns), dtype=numpy.int64)
        indices[mask] = reader.huffman(node.get("indices"), int(mask.sum()), centroids.size - 1)
        return SharedWeightLinear(centroids, indices, mask, _bias(reader, node, columns, centroids.dtype))
    if kind == "HashedLinear":
        rows, columns, buckets = _size(node, "in"), _size(node, "out"), _size(node, "buckets")
        reader.allow(2 * rows * columns, "a hashed layer")
        weight = reader.array(node.get("weight"), kinds="f", shape=(buckets,))
        layer = HashedLinear(rows, columns, buckets, seed=node.get("seed"), bias=node.get("bias") is not None,
                             init="zeros", dtype=weight.dtype)
        layer.weight.data = weight
        if layer.bias is not None:
            layer.bias.data = _bias(reader, node, columns, weight.dtype)
        return layer
    if kind == "LowRankLinear":
        U, Vt = reader.array(node.get("U"), kinds="f"), reader.array(node.get("Vt"), kinds="f")
        if U.ndim != 2 or Vt.ndim != 2:
            raise ValueError("U and V^T must be matrices")
        return LowRankLinear(U, Vt, _bias(reader, node, Vt.shape[1], Vt.dtype), fix_U=node.get("fix_U") is True)
    if kind in _STATELESS or kind in _TRANSFORMS:
        module = (_STATELESS.get(kind) or _TRANSFORMS[kind])()
        return module.load_state_dict(reader.state(node.get("state")))
    if kind == "LeakyReLU":
        if node.get("learnable") is True:
            return activations.LeakyReLU(learnable=True).load_state_dict(reader.state(node.get("state")))
        alpha = node.get("alpha")
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
            raise ValueError(f"LeakyReLU needs a number alpha, got {alpha!r}")
        return activations.LeakyReLU(alpha=float(alpha))
    if kind == "Softmax":
        axis = node.get("axis")
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise ValueError(f"Softmax needs an integer axis, got {axis!r}")
        return activations.Softmax(axis=axis)
    if kind in ("BatchNorm", "LayerNorm"):
        features = _size(node, "num_features")
        reader.allow(6 * features, kind)
        eps = node.get("eps")
        if isinstance(eps, bool) or not isinstance(eps, (int, float)):
            raise ValueError(f"{kind} needs a number eps, got {eps!r}")
        state = reader.state(node.get("state"))
        dtype = state["gamma"].dtype if "gamma" in state else numpy.float64
        if kind == "LayerNorm":
            return normalization.LayerNorm(features, eps=eps, dtype=dtype).load_state_dict(state)
        layer = normalization.BatchNorm(features, eps=eps, momentum=node.get("momentum"), dtype=dtype)
        layer.load_state_dict(state)
        if node.get("statistics") not in ("running", "population"):
            raise ValueError(f"BatchNorm statistics must be 'running' or 'population', got {node.get('statistics')!r}")
        layer.statistics = node["statistics"]
        return layer
    raise ValueError(f"unknown module type {kind!r}")


def load(path):
    """Read a model written by ``save``: a Module that predicts as the saved one did.

    Raises ``ValueError`` for a file that is truncated, damaged, of another
    format, or that declares sizes its bytes cannot back.
    """
    with open(path, "rb") as stream:
        content = stream.read()
    try:
        return _read(content)
    except ValueError as error:
        raise ValueError(f"cannot load {os.fspath(path)!r} as a compressed model: {error}") from error
    except (TypeError, KeyError, IndexError, OverflowError, RecursionError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot load {os.fspath(path)!r} as a compressed model: malformed description "
                         f"({type(error).__name__}: {error})") from error


def _refuse_constant(name):
    raise ValueError(f"the header holds {name}, which save never writes")


def _read(content):
    if len(content) < _PREFIX.size + 4:
        raise ValueError(f"the file has {len(content)} bytes, too few for the format")
    magic, version, header_length = _PREFIX.unpack_from(content)
    if magic != MAGIC:
        raise ValueError(f"it does not start with {MAGIC!r}, so it was not written by nn.compress.save")
    if version != VERSION:
        raise ValueError(f"format version {version}, this reader knows version {VERSION}")
    body, (checksum,) = content[:-4], struct.unpack("<I", content[-4:])
    if zlib.crc32(body) != checksum:
        raise ValueError("its checksum does not match: the file is damaged or truncated")
    if header_length > MAX_HEADER_BYTES or _PREFIX.size + header_length > len(body):
        raise ValueError(f"it declares a header of {header_length} bytes, beyond the limit or the file")
    header = json.loads(body[_PREFIX.size:_PREFIX.size + header_length].decode("utf-8"),
                        parse_constant=_refuse_constant)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError(f"its header does not name the format {FORMAT!r}")
    reader = _Reader(header.get("blobs"), memoryview(body)[_PREFIX.size + header_length:], len(content))
    return _build(header.get("model"), reader)
