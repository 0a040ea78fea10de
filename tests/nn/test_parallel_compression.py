"""The 8-bit codec and the cost model of nn.parallel, which need no Ray."""
import numpy as np
import pytest

from autograd_core.nn.parallel import compression, cost_model


def test_int8_rounding_error_is_at_most_half_a_step_and_is_fed_back_exactly():
    rng = np.random.default_rng(0)
    codec = compression.Int8Codec()
    sent, received = np.zeros((3, 4)), np.zeros((3, 4))
    for _ in range(20):
        gradient = rng.standard_normal((3, 4)) * rng.uniform(0.01, 10)
        message = codec.encode([gradient])
        (decoded,) = compression.decode(message)
        assert message[0].values.dtype == np.int8 and np.abs(message[0].values).max() == 127
        assert np.abs(codec.errors[0]).max() <= message[0].scale / 2 * (1 + 1e-12)
        sent += gradient
        received += decoded
    # error feedback: nothing is lost, only delayed by the one residual still held
    np.testing.assert_allclose(received + codec.errors[0], sent, rtol=1e-12, atol=1e-12)
    assert compression.message_bytes(message) == 12 + 8


def test_int8_codec_handles_zeros_and_refuses_nan_and_a_changed_message():
    codec = compression.Int8Codec()
    (decoded,) = compression.decode(codec.encode([np.zeros(3)]))
    np.testing.assert_array_equal(decoded, np.zeros(3))
    with pytest.raises(FloatingPointError, match="NaN or infinity"):
        compression.Int8Codec().encode([np.array([1.0, np.nan])])
    with pytest.raises(ValueError, match="sends 1 arrays per message, got 2"):
        codec.encode([np.zeros(3), np.zeros(2)])
    with pytest.raises(ValueError, match="compression must be None or 'int8', got 'int4'"):
        compression.make_codec("int4")


def test_cost_model_formulas_on_a_small_profile():
    sizes, batch, workers = [64, 32, 10], 16, 4
    parameters = 65 * 32 + 33 * 10
    assert cost_model.parameter_count(sizes) == parameters
    assert cost_model.data_parallel(sizes, batch, workers) == {
        "data": batch * (64 * 8 + 8), "gradients up": workers * parameters * 8,
        "gradients down": workers * parameters * 8}
    assert cost_model.data_parallel(sizes, batch, workers, compression="int8")["gradients up"] == \
        workers * (parameters + 4 * 8)
    assert cost_model.model_parallel_layer(32, 10, batch, workers) == {
        "activations forward": (workers * 32 + 10) * batch * 8, "gradients backward": (10 + workers * 32) * batch * 8}
    assert cost_model.model_parallel_layer(32, 10, batch, workers, cross_connections=False) == {
        "activations forward": 42 * batch * 8, "gradients backward": 42 * batch * 8}
    assert cost_model.ring_allreduce_bytes_per_worker(parameters, workers) == 2 * 3 * parameters * 8 / 4
    assert cost_model.multiply_adds_per_step(sizes, batch) == 6 * batch * (64 * 32 + 32 * 10)
    with pytest.raises(ValueError, match="split_at must lie in 1..1"):
        cost_model.hybrid(sizes, split_at=2, batch_size=batch, workers=workers)
    with pytest.raises(ValueError, match="at least two positive sizes"):
        cost_model.parameter_count([64])
