"""Huffman coding: round trips, optimal lengths, and refusal of damaged streams."""
import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_core.nn.compress import huffman

pytestmark = pytest.mark.usefixtures("float64_layers")  # written against float64 references


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2 ** 40), min_size=0, max_size=200))
def test_round_trip(values):
    values = np.asarray(values, dtype=np.int64)
    stream = huffman.encode(values)
    np.testing.assert_array_equal(huffman.decode(stream), values)
    assert len(stream.payload) == (stream.bit_count + 7) // 8


def test_a_skewed_stream_costs_fewer_bits_than_a_fixed_width():
    rng = np.random.default_rng(0)
    values = rng.choice(32, size=5000, p=np.r_[0.5, np.full(31, 0.5 / 31)])
    stream = huffman.encode(values)
    assert stream.bit_count < 0.7 * 5 * values.size
    entropy = -(np.bincount(values) / values.size * np.log2(np.bincount(values) / values.size + 1e-300)).sum()
    assert entropy * values.size <= stream.bit_count <= (entropy + 1) * values.size  # Shannon's bounds


def test_the_textbook_lengths():
    # frequencies 45, 13, 12, 16, 9, 5: the classic example has lengths 1, 3, 3, 3, 4, 4
    assert huffman.code_lengths([45, 13, 12, 16, 9, 5]).tolist() == [1, 3, 3, 3, 4, 4]
    assert huffman.code_lengths([7]).tolist() == [1]


def test_a_single_symbol_takes_one_bit_each():
    stream = huffman.encode(np.full(10, 3))
    assert stream.bit_count == 10
    np.testing.assert_array_equal(huffman.decode(stream), np.full(10, 3))


def good_stream():
    return huffman.encode(np.array([0, 1, 1, 2, 2, 2, 2, 3, 5, 5]))


@pytest.mark.parametrize("damage, message", [
    (lambda s: dataclasses.replace(s, count=s.count + 1), "ended|cannot fit"),
    (lambda s: dataclasses.replace(s, count=s.count - 1), "bits after"),
    (lambda s: dataclasses.replace(s, bit_count=s.bit_count + 9), "cannot hold"),
    (lambda s: dataclasses.replace(s, bit_count=-1), "cannot hold"),
    (lambda s: dataclasses.replace(s, lengths=np.ones_like(s.lengths)), "Kraft|canonical"),
    (lambda s: dataclasses.replace(s, lengths=np.zeros_like(s.lengths)), "lengths"),
    (lambda s: dataclasses.replace(s, lengths=s.lengths[:-1]), "one length per symbol"),
    (lambda s: dataclasses.replace(s, symbols=s.symbols[::-1].copy()), "canonical"),
    (lambda s: dataclasses.replace(s, count=10 ** 9), "cannot fit"),
])
def test_damaged_streams_are_refused(damage, message):
    with pytest.raises(ValueError, match=message):
        huffman.decode(damage(good_stream()))


def test_an_incomplete_code_with_a_foreign_pattern_is_refused():
    stream = huffman.HuffmanStream(np.array([0, 1], dtype=np.uint8), np.array([2, 2], dtype=np.uint8),
                                   bytes([0b11000000]), 1, 2)
    with pytest.raises(ValueError, match="no code"):
        huffman.decode(stream)


@pytest.mark.parametrize("values", [np.array([-1, 2]), np.array([[1, 2]]), np.array([0.5])])
def test_bad_inputs_are_refused(values):
    with pytest.raises(ValueError):
        huffman.encode(values)
