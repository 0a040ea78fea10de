"""Saving and loading state in NumPy's ``.npz`` format, without pickle, with every size checked first.

``save(obj, path)`` writes a Module's ``state_dict()`` (or a mapping name ->
array), or an optimizer's or schedule's ``state_dict()`` (or the object
itself), plus a format marker, to exactly ``path``; ``load(path)`` reads it
back and returns the state (pass it to ``load_state_dict``). The arrays are
stored as they are, so a round trip is bit-exact; a state that holds more
than arrays (an optimizer's settings and counters, a schedule's rates) keeps
its structure and its numbers and strings as JSON text beside the arrays, so
nothing is ever unpickled.

Writing is atomic: the file is written under a temporary name in the same
folder, flushed to disk (fsync) and renamed over ``path``, so an interrupted
save leaves the old file whole and no temporary file behind. The new file
has the process's normal permissions (0644 under the usual umask), or those
of the file it replaces.

Reading is bounded, in the spirit of safetensors: before anything is
decompressed or allocated, each member's declared sizes are checked against
the file (a member may not expand past ``max_uncompressed_bytes``, 64 MiB by
default, to more than 100 times its compressed size: float arrays never
compress like that, deflate bombs do), and each array's declared shape and
dtype against its member's size. Only booleans, integers and floating-point
numbers are read: complex, string, structured, datetime and object entries
are refused, as ``save`` refuses them. A truncated, foreign or corrupted file
raises ``ValueError`` saying what was wrong.
"""
import json
import math
import os
import secrets
import stat
import zipfile
import zlib
from collections import OrderedDict

import numpy
import numpy.lib.format as npy_format

from .arrays import to_numpy
from .module import NUMERIC_KINDS, Module

FORMAT_KEY = "__nn_format__"
ORDER_KEY = "__nn_order__"
STRUCTURE_KEY = "__nn_structure__"
RESERVED_KEYS = (FORMAT_KEY, ORDER_KEY, STRUCTURE_KEY)
FORMAT = "autograd-core-nn-state/1"
STRUCTURED_FORMAT = "autograd-core-structured-state/1"
MAX_UNCOMPRESSED_BYTES = 64 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
_SUPPORTED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


# --- saving -------------------------------------------------------------------------------------
def save(obj, path):
    """Write a Module's, an optimizer's or a schedule's state (or the state mapping itself) to ``path`` as ``.npz``.

    ``obj``: a Module, an object with ``state_dict()`` (an optimizer, a
    schedule), or the mapping that ``state_dict()`` returned. A mapping of
    arrays is saved as it is; any other mapping (nested dicts and lists,
    numbers, strings, None) keeps its structure. Returns ``path``.
    """
    state = obj.state_dict() if isinstance(obj, Module) or callable(getattr(obj, "state_dict", None)) else obj
    if not hasattr(state, "items"):
        raise TypeError(f"nn.save expects a Module, an optimizer or a state mapping, got {type(obj).__name__}")
    entries = OrderedDict()
    if not all(_is_array(value) for value in state.values()):
        structure = _encode(dict(state), (), entries)
        format_name = STRUCTURED_FORMAT
    else:
        for name, value in state.items():
            if not isinstance(name, str) or not name or name in RESERVED_KEYS:
                raise ValueError(f"state entry names must be non-empty strings other than {RESERVED_KEYS}, "
                                 f"got {name!r}")
            entries[name] = _savable_array(name, value)
        structure = None
        format_name = FORMAT
    order = list(entries)
    entries[FORMAT_KEY] = numpy.array(format_name)
    entries[ORDER_KEY] = numpy.array(order or [""])
    if structure is not None:
        entries[STRUCTURE_KEY] = numpy.array(json.dumps(structure))
    _write_atomically(os.fspath(path), entries)
    return path


def _is_array(value):
    return hasattr(value, "shape") and hasattr(value, "dtype") and not isinstance(value, numpy.generic)


def _savable_array(name, value):
    array = to_numpy(value)
    if array.dtype.kind not in NUMERIC_KINDS or array.dtype.fields is not None:
        raise TypeError(f"state entry {name!r} has dtype {array.dtype}; only booleans, integers and "
                        "floating-point numbers can be saved without pickle")
    return array


def _encode(value, path, arrays):
    """``value`` as JSON-ready data, with each array replaced by {"__array__": its entry name} in ``arrays``."""
    if isinstance(value, numpy.generic):
        value = value.item()
    if _is_array(value):
        name = ".".join(str(part) for part in path) or "value"
        if name in arrays or name in RESERVED_KEYS:
            name = f"{name}#{len(arrays)}"
        arrays[name] = _savable_array(name, value)
        return {"__array__": name}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_encode(item, (*path, index), arrays) for index, item in enumerate(value)]
    if isinstance(value, dict):
        for key in value:
            if isinstance(key, bool) or not isinstance(key, (int, str)):
                raise TypeError(f"cannot save the state key {key!r} at {'.'.join(map(str, path))}: keys are "
                                "strings or integers")
        return {"__dict__": [[key, _encode(item, (*path, key), arrays)] for key, item in value.items()]}
    raise TypeError(f"cannot save {type(value).__name__} at {'.'.join(map(str, path)) or 'the top'} of the state "
                    "without pickle: arrays, numbers, strings, None, lists and dicts can be saved")


def _write_atomically(path, entries):
    directory = os.path.dirname(os.path.abspath(path))
    temporary = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(8)}.tmp")
    # O_EXCL with mode 0o666 lets the umask decide the permissions, as for any file the process creates
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(descriptor, "wb") as stream:
            if os.path.exists(path):
                os.chmod(temporary, stat.S_IMODE(os.stat(path).st_mode))
            with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
                for name, array in entries.items():
                    with archive.open(name + ".npy", "w", force_zip64=True) as member:
                        npy_format.write_array(member, numpy.asanyarray(array), allow_pickle=False)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    _sync_directory(directory)


def _sync_directory(directory):
    """Make the rename itself durable where the system allows opening a folder (POSIX)."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


# --- loading ------------------------------------------------------------------------------------
def load(path, max_uncompressed_bytes=MAX_UNCOMPRESSED_BYTES):
    """Read a state written by ``save``: an ordered mapping name -> NumPy array, or the structured state saved.

    ``max_uncompressed_bytes``: a compressed member may expand to this many
    bytes whatever its compression ratio (64 MiB); beyond it, to at most 100
    times its compressed size. Raise it for a trusted file that needs more.
    """
    if isinstance(max_uncompressed_bytes, bool) or not isinstance(max_uncompressed_bytes, int):
        raise TypeError(f"max_uncompressed_bytes must be an integer number of bytes, got "
                        f"{type(max_uncompressed_bytes).__name__} {max_uncompressed_bytes!r}")
    if max_uncompressed_bytes < 0:
        raise ValueError(f"max_uncompressed_bytes must be >= 0, got {max_uncompressed_bytes}")
    with open(path, "rb") as stream:
        try:
            return _read(stream, os.fstat(stream.fileno()).st_size, max_uncompressed_bytes)
        except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile, zlib.error, RecursionError) as error:
            raise ValueError(f"cannot load {os.fspath(path)!r} as an nn state file: {error}") from error


def _read(stream, file_size, max_uncompressed_bytes):
    try:
        archive = zipfile.ZipFile(stream)
    except zipfile.BadZipFile as error:
        raise ValueError(f"it is not an .npz archive of named arrays ({error})") from error
    with archive:
        members = _checked_members(archive, file_size, max_uncompressed_bytes)
        format_name = str(_read_member(archive, members, FORMAT_KEY, reserved=True))
        if format_name not in (FORMAT, STRUCTURED_FORMAT):
            raise ValueError(f"its format marker is {format_name!r}, not one written by nn.save")
        order_array = _read_member(archive, members, ORDER_KEY, reserved=True)
        if order_array.ndim != 1:
            raise ValueError(f"its list of entries has shape {order_array.shape}, not a list")
        order = [str(name) for name in order_array if str(name)]
        expected = set(order) | {FORMAT_KEY, ORDER_KEY} | ({STRUCTURE_KEY} if format_name == STRUCTURED_FORMAT
                                                            else set())
        absent = [name for name in expected if name not in members]
        if absent:
            raise ValueError(f"entries {sorted(absent)} are listed but absent")
        unlisted = [name for name in members if name not in expected]
        if unlisted:
            raise ValueError(f"it holds entries {sorted(unlisted)} that its list of entries does not name")
        arrays = OrderedDict((name, _read_member(archive, members, name)) for name in order)
        if format_name == FORMAT:
            return arrays
        structure = json.loads(str(_read_member(archive, members, STRUCTURE_KEY, reserved=True)))
        state = _decode(structure, arrays)
        if not isinstance(state, dict):
            raise ValueError(f"its structured state is a {type(state).__name__}, not a mapping")
        return state


def _checked_members(archive, file_size, max_uncompressed_bytes):
    """entry name -> ZipInfo, after checking every member's declared sizes against the file and the limits."""
    members = {}
    for info in archive.infolist():
        if not info.filename.endswith(".npy"):
            raise ValueError(f"member {info.filename!r} is not an array (.npy)")
        name = info.filename[:-len(".npy")]
        if name in members:
            raise ValueError(f"entry {name!r} appears twice")
        if info.flag_bits & 0x1:
            raise ValueError(f"entry {name!r} is encrypted; nn.save never encrypts")
        if info.compress_type not in _SUPPORTED_COMPRESSION:
            raise ValueError(f"entry {name!r} uses compression method {info.compress_type}; nn.load reads stored "
                             "or deflated members")
        if info.compress_size > file_size:
            raise ValueError(f"entry {name!r} declares {info.compress_size} compressed bytes in a file of "
                             f"{file_size} bytes")
        if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            raise ValueError(f"entry {name!r} is stored uncompressed but declares {info.file_size} bytes in "
                             f"{info.compress_size}")
        if info.file_size > max_uncompressed_bytes and \
                info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise ValueError(
                f"entry {name!r} would expand from {info.compress_size} to {info.file_size} bytes, more than "
                f"{max_uncompressed_bytes} bytes and more than {MAX_COMPRESSION_RATIO} times its compressed size "
                "(a decompression bomb?); if you trust the file, pass a larger max_uncompressed_bytes to nn.load")
        members[name] = info
    return members


def _read_member(archive, members, name, reserved=False):
    """One array, its header checked against the member's declared size before any data is read."""
    if name not in members:
        raise ValueError(f"it has no {name!r} entry, so it was not written by nn.save")
    info = members[name]
    with archive.open(info) as member:
        version = npy_format.read_magic(member)
        if version == (1, 0):
            shape, fortran_order, dtype = npy_format.read_array_header_1_0(member)
        elif version == (2, 0):
            shape, fortran_order, dtype = npy_format.read_array_header_2_0(member)
        else:
            raise ValueError(f"entry {name!r} uses .npy format version {version}, which nn.save never writes")
        allowed = "U" if reserved else NUMERIC_KINDS
        if dtype.kind not in allowed or dtype.fields is not None or dtype.subdtype is not None:
            what = "text" if reserved else "booleans, integers or floating-point numbers"
            raise ValueError(f"entry {name!r} has dtype {dtype}; nn.load reads only {what} there (complex, "
                             "string, structured, datetime and object entries are refused)")
        count = math.prod(shape)
        data_bytes = count * dtype.itemsize
        header_bytes = member.tell()
        if header_bytes + data_bytes != info.file_size:
            raise ValueError(f"entry {name!r} declares shape {shape} of {dtype} ({data_bytes} bytes) but its "
                             f"member holds {info.file_size - header_bytes} bytes of data")
        data = member.read(data_bytes)
        if len(data) != data_bytes:
            raise ValueError(f"entry {name!r} is cut short: {len(data)} of {data_bytes} bytes")
    array = numpy.frombuffer(data, dtype=dtype, count=count).reshape(shape, order="F" if fortran_order else "C")
    return array.copy(order="K")


def _decode(value, arrays):
    """The inverse of ``_encode``: JSON data with {"__array__": name} markers back to arrays and dicts."""
    if isinstance(value, list):
        return [_decode(item, arrays) for item in value]
    if isinstance(value, dict):
        if set(value) == {"__array__"} and value["__array__"] in arrays:
            return arrays[value["__array__"]]
        if set(value) == {"__dict__"} and isinstance(value["__dict__"], list) and all(
                isinstance(pair, list) and len(pair) == 2 and isinstance(pair[0], (int, str))
                and not isinstance(pair[0], bool) for pair in value["__dict__"]):
            return {key: _decode(item, arrays) for key, item in value["__dict__"]}
        raise ValueError(f"its structured state holds an object that nn.save never writes: {str(value)[:80]}")
    return value
