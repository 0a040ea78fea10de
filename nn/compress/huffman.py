"""Huffman coding of integer streams: the last stage of the prune-quantise-code pipeline (Section 3.7.3, [168]).

After weight sharing, a layer's kept weights are small integers (codebook
indices) and its sparsity pattern is a list of gaps between kept positions;
both are far from uniform, so a Huffman code, which spends about
-log2 p(s) bits on a symbol of frequency p(s), stores them in fewer bits than
a fixed width. The code is canonical: it is determined by the code length of
each symbol, so only the symbols and their lengths are stored beside the
bits. Decoding checks everything it reads and raises ``ValueError`` on a
damaged stream.
"""
import heapq
from dataclasses import dataclass

import numpy

MAX_CODE_LENGTH = 64


@dataclass(frozen=True)
class HuffmanStream:
    """A coded stream: distinct ``symbols`` (canonical order), their code ``lengths``, the ``payload`` bits."""

    symbols: numpy.ndarray
    lengths: numpy.ndarray
    payload: bytes
    count: int
    bit_count: int


def code_lengths(counts):
    """Huffman code lengths for symbol frequencies ``counts`` (a 1-D array of positive integers).

    Repeatedly merges the two least frequent groups; each merge adds one bit to
    every symbol in them. A single symbol gets a one-bit code.
    """
    counts = numpy.asarray(counts)
    lengths = numpy.zeros(counts.size, dtype=numpy.int64)
    if counts.size == 1:
        lengths[0] = 1
        return lengths
    heap = [(int(count), index, [index]) for index, count in enumerate(counts)]
    heapq.heapify(heap)
    tiebreak = counts.size
    while len(heap) > 1:
        count_a, _, members_a = heapq.heappop(heap)
        count_b, _, members_b = heapq.heappop(heap)
        merged = members_a + members_b
        lengths[merged] += 1
        heapq.heappush(heap, (count_a + count_b, tiebreak, merged))
        tiebreak += 1
    return lengths


def canonical_order(symbols, lengths):
    """Symbols and lengths sorted by (length, symbol): the order in which canonical codes are assigned."""
    order = numpy.lexsort((symbols, lengths))
    return symbols[order], lengths[order]


def canonical_codes(lengths):
    """The canonical code of each entry of ``lengths`` (already in canonical order), as Python integers.

    code_0 = 0; code_{n+1} = (code_n + 1) << (length_{n+1} - length_n).
    """
    codes = []
    code = 0
    previous = int(lengths[0]) if len(lengths) else 0
    for position, length in enumerate(lengths):
        length = int(length)
        if position:
            code = (code + 1) << (length - previous)
        codes.append(code)
        previous = length
    return codes


def encode(values):
    """Huffman-code a 1-D array of non-negative integers; returns a ``HuffmanStream``."""
    values = numpy.asarray(values)
    if values.ndim != 1 or (values.size and values.dtype.kind not in "iu"):
        raise ValueError(f"encode expects a 1-D integer array, got shape {values.shape} and dtype {values.dtype}")
    if values.size and int(values.min()) < 0:
        raise ValueError("encode expects non-negative integers")
    if values.size == 0:
        return HuffmanStream(numpy.zeros(0, dtype=numpy.uint8), numpy.zeros(0, dtype=numpy.uint8), b"", 0, 0)
    symbols, inverse, counts = numpy.unique(values, return_inverse=True, return_counts=True)
    lengths = code_lengths(counts)
    ordered_symbols, ordered_lengths = canonical_order(symbols, lengths)
    codes = canonical_codes(ordered_lengths)
    words = {int(symbol): format(code, f"0{int(length)}b")
             for symbol, code, length in zip(ordered_symbols, codes, ordered_lengths)}
    by_position = [words[int(symbol)] for symbol in symbols]
    bits = "".join(by_position[index] for index in inverse.ravel())
    bit_count = len(bits)
    padded = bits + "0" * (-bit_count % 8)
    payload = int(padded, 2).to_bytes(len(padded) // 8, "big") if padded else b""
    return HuffmanStream(ordered_symbols.astype(_smallest_unsigned(int(symbols.max()))),
                         ordered_lengths.astype(numpy.uint8), payload, int(values.size), bit_count)


def _smallest_unsigned(largest):
    for dtype in (numpy.uint8, numpy.uint16, numpy.uint32, numpy.uint64):
        if largest <= numpy.iinfo(dtype).max:
            return dtype
    raise ValueError(f"symbol {largest} does not fit in 64 bits")


def decode(stream):
    """The integers coded in a ``HuffmanStream`` (an int64 array of ``stream.count`` entries).

    Raises ``ValueError`` when the lengths do not form a prefix code, the
    stream ends early, holds a bit pattern that is no code, or has bits left.
    """
    symbols = numpy.asarray(stream.symbols)
    lengths = numpy.asarray(stream.lengths).astype(numpy.int64)
    count, bit_count = int(stream.count), int(stream.bit_count)
    if symbols.ndim != 1 or lengths.shape != symbols.shape:
        raise ValueError(f"a Huffman table needs one length per symbol, got {lengths.shape} and {symbols.shape}")
    if count < 0 or not 0 <= bit_count <= 8 * len(stream.payload) or bit_count < 8 * len(stream.payload) - 7:
        raise ValueError(f"a Huffman stream of {len(stream.payload)} bytes cannot hold {bit_count} bits")
    if count == 0:
        if bit_count:
            raise ValueError("an empty Huffman stream has bits")
        return numpy.zeros(0, dtype=numpy.int64)
    if count > bit_count:
        raise ValueError(f"{count} symbols cannot fit in {bit_count} bits (each code has at least one bit)")
    if symbols.size == 0 or lengths.min() < 1 or lengths.max() > MAX_CODE_LENGTH:
        raise ValueError(f"Huffman code lengths must lie in [1, {MAX_CODE_LENGTH}] with at least one symbol")
    if numpy.any((lengths[1:] < lengths[:-1]) |
                 ((lengths[1:] == lengths[:-1]) & (symbols[1:] <= symbols[:-1]))):
        raise ValueError("the Huffman table is not in canonical order")
    if sum(2.0 ** -int(length) for length in lengths) > 1.0:
        raise ValueError("the Huffman code lengths break Kraft's inequality: they are no prefix code")
    codes = canonical_codes(lengths)
    # per length: the first code, how many codes, and where they start in the table
    first_code, first_index, per_length = {}, {}, {}
    for index, (code, length) in enumerate(zip(codes, lengths.tolist())):
        if length not in first_code:
            first_code[length], first_index[length], per_length[length] = code, index, 0
        per_length[length] += 1
    longest = int(lengths.max())
    bits = numpy.unpackbits(numpy.frombuffer(stream.payload, dtype=numpy.uint8))[:bit_count].tolist()
    table = symbols.tolist()
    decoded = []
    code = length = consumed = 0
    for position, bit in enumerate(bits):
        code = (code << 1) | bit
        length += 1
        if length in per_length and 0 <= code - first_code[length] < per_length[length]:
            decoded.append(table[first_index[length] + code - first_code[length]])
            if len(decoded) == count:
                consumed = position + 1
                break
            code = length = 0
        elif length >= longest:
            raise ValueError("the Huffman stream holds a bit pattern that is no code")
    if len(decoded) != count:
        raise ValueError(f"the Huffman stream ended after {len(decoded)} of {count} symbols")
    if consumed != bit_count:
        raise ValueError(f"the Huffman stream has {bit_count - consumed} bits after its last symbol")
    return numpy.asarray(decoded, dtype=numpy.int64)
