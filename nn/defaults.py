"""The floating-point dtype new layers get: float32 unless set otherwise with ``nn.set_default_dtype``.

float32 halves the memory and time of training and is what deep-learning
frameworks use by default; float64 is what finite-difference gradient checks
need (Eq. 3.34 compares differences of about 1e-6). A layer built without
``dtype=`` takes the default at construction time::

    nn.set_default_dtype(numpy.float64)          # from here on
    with nn.set_default_dtype(numpy.float64):    # or only inside the block
        model = nn.MLP([4, 8, 1])

A layer computes in its own dtype: a floating input of another dtype is cast
to it (recorded, so the input's gradient comes back in the input's dtype),
as Keras layers do, so float32 data is never silently upcast by float64
parameters unless the user chose float64 layers.
"""
import numpy

_state = {"dtype": numpy.dtype(numpy.float32)}


def _floating(dtype):
    try:
        dtype = numpy.dtype(dtype)
    except TypeError:
        raise TypeError(f"dtype must be a NumPy floating-point dtype such as numpy.float32, got {dtype!r}") from None
    if dtype.kind != "f":
        raise TypeError(f"layers hold floating-point parameters: dtype must be float16, float32 or float64, "
                        f"got {dtype}")
    return dtype


def get_default_dtype():
    """The dtype that layers built without ``dtype=`` get (float32 unless changed)."""
    return _state["dtype"]


class set_default_dtype:
    """Set the dtype of layers built from now on; as a context manager, restore the previous one on exit."""

    def __init__(self, dtype):
        dtype = _floating(dtype)
        self.previous = _state["dtype"]
        _state["dtype"] = dtype

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        _state["dtype"] = self.previous
        return False


def resolve_dtype(dtype):
    """``dtype`` checked, or the default one when it is None."""
    return _state["dtype"] if dtype is None else _floating(dtype)
