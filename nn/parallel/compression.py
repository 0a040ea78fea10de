"""8-bit gradients with a per-tensor scale and error feedback (Section 3.7.2: "algorithmic tricks like 8-bit
approximations of the gradients can help in speeding up the communication").

A message is a list of arrays. ``Int8Codec.encode`` sends each array g as

    s = max_i |g_i + e_i| / 127,   q = round((g + e) / s) in int8,   e <- (g + e) - s q

one byte per number plus one scale, and keeps the rounding error e (the error
feedback) to add to the next message of the same sender, so no part of a
gradient is lost for good, only delayed. ``decode`` gives s q back. One codec
belongs to one sender: a worker for what it sends up, the reducer or the
server for what it sends down.
"""
import math

from autograd_core.backend import get_array_module

INT8_LEVELS = 127
SCALE_BYTES = 8  # each tensor's scale travels as one float64


class Int8Array:
    """One quantised tensor: int8 ``values`` and the float ``scale`` that maps them back (value = scale q)."""

    __slots__ = ("values", "scale", "dtype")

    def __init__(self, values, scale, dtype):
        self.values, self.scale, self.dtype = values, scale, dtype

    @property
    def nbytes(self):
        return int(self.values.nbytes) + SCALE_BYTES


class Int8Codec:
    """Quantises the arrays one sender sends to int8 with a per-tensor scale, carrying the error to the next."""

    def __init__(self):
        self.errors = None

    def encode(self, arrays):
        """A list of ``Int8Array``; the rounding error of each stays here for the next call."""
        if self.errors is None:
            self.errors = [get_array_module(array).zeros_like(array) for array in arrays]
        if len(arrays) != len(self.errors):
            raise ValueError(f"this codec sends {len(self.errors)} arrays per message, got {len(arrays)}")
        message = []
        for index, array in enumerate(arrays):
            xp = get_array_module(array)
            corrected = array + self.errors[index]
            largest = float(xp.max(xp.abs(corrected))) if corrected.size else 0.0
            if not math.isfinite(largest):
                raise FloatingPointError("a gradient sent with int8 compression holds NaN or infinity")
            scale = largest / INT8_LEVELS if largest > 0 else 1.0
            values = xp.clip(xp.rint(corrected / scale), -INT8_LEVELS, INT8_LEVELS).astype(xp.int8)
            self.errors[index] = corrected - scale * values.astype(corrected.dtype)
            message.append(Int8Array(values, scale, corrected.dtype))
        return message


def decode(message):
    """The arrays of a message: ``Int8Array``s become scale q in their float dtype; other arrays pass."""
    return [item.scale * item.values.astype(item.dtype) if isinstance(item, Int8Array) else item
            for item in message]


def message_bytes(message):
    """The bytes a message puts on the wire: its arrays' data (int8 values plus one float64 scale each)."""
    return sum(int(item.nbytes) for item in message)


def make_codec(compression):
    """An ``Int8Codec`` for ``"int8"``, None for no compression; a ValueError for anything else."""
    if compression is None:
        return None
    if compression == "int8":
        return Int8Codec()
    raise ValueError(f"compression must be None or 'int8', got {compression!r}")


def encode(codec, arrays):
    """``arrays`` as they travel: quantised by ``codec``, or unchanged without one."""
    return list(arrays) if codec is None else codec.encode(arrays)
