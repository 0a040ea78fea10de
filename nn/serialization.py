"""Saving and loading state in NumPy's ``.npz`` format, without pickle.

``save(module_or_state, path)`` writes every array of a state_dict, plus a
format marker, to exactly ``path``; ``load(path)`` reads it back with
``numpy.load(allow_pickle=False)``, so loading a file can never execute code,
and returns the ordered state (pass it to ``module.load_state_dict``). The
arrays are stored as they are, so a round trip is bit-exact. A truncated,
foreign or corrupted file raises ``ValueError`` saying what was wrong.
"""
import os
import tempfile
import zipfile
import zlib
from collections import OrderedDict

import numpy

from .arrays import to_numpy
from .module import Module

FORMAT_KEY = "__nn_format__"
FORMAT = "autograd-core-nn-state/1"
ORDER_KEY = "__nn_order__"


def save(module_or_state, path):
    """Write a Module's ``state_dict()`` (or a mapping name -> array) to ``path`` as ``.npz``."""
    state = module_or_state.state_dict() if isinstance(module_or_state, Module) else module_or_state
    arrays = OrderedDict()
    for name, value in state.items():
        if name in (FORMAT_KEY, ORDER_KEY):
            raise ValueError(f"the state may not use the reserved name {name!r}")
        array = to_numpy(value)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"state entry {name!r} has dtype {array.dtype}; only numeric arrays can be saved "
                            "without pickle")
        arrays[name] = array
    arrays[FORMAT_KEY] = numpy.array(FORMAT)
    arrays[ORDER_KEY] = numpy.array(list(state.keys()) or [""])
    directory = os.path.dirname(os.path.abspath(path))
    # write to a temporary file and rename it, so an interrupted save never leaves a truncated file at path
    handle, temporary = tempfile.mkstemp(dir=directory, suffix=".npz.tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            numpy.savez(stream, **arrays)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise
    return path


def load(path):
    """Read a state written by ``save``: an ordered mapping name -> NumPy array."""
    try:
        archive = numpy.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"cannot load {path!r} as an nn state file: {error}") from error
    if not hasattr(archive, "files"):
        raise ValueError(f"cannot load {path!r} as an nn state file: it holds a single array, not an archive "
                         "of named arrays")
    with archive:
        try:
            return _read_state(archive)
        except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile, zlib.error) as error:
            raise ValueError(f"cannot load {path!r} as an nn state file: {error}") from error


def _read_state(archive):
    names = set(archive.files)
    if FORMAT_KEY not in names or str(archive[FORMAT_KEY]) != FORMAT:
        raise ValueError(f"it has no {FORMAT!r} marker, so it was not written by nn.save")
    order = [str(name) for name in archive[ORDER_KEY] if str(name)]
    missing = [name for name in order if name not in names]
    if missing:
        raise ValueError(f"entries {missing} are listed but absent")
    return OrderedDict((name, archive[name]) for name in order)
