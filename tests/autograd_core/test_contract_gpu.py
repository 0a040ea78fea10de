"""The contracts on CuPy arrays: in-place operations, shared versions of views, the anomaly fingerprint,
the accurate sigmoid and the shape checks behave on the GPU as on the CPU.

Every test here needs CuPy and a CUDA device; tests/conftest.py skips them otherwise.
"""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim

pytestmark = pytest.mark.gpu


def gpu_leaf(*shape, seed=0):
    return ag.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True, device="cuda")


def test_in_place_operations_on_the_gpu_stay_on_the_gpu():
    t = ag.tensor(np.ones(3), device="cuda")
    array = t.data
    t += 1.0
    t.mul_(ag.tensor(np.full(3, 2.0), device="cuda")).clamp_(max=3.0)
    t.copy_(t.data * 2.0)
    assert t.data is array and t.device == "cuda:0"
    np.testing.assert_allclose(t.numpy(), np.full(3, 6.0))
    t.zero_()
    np.testing.assert_array_equal(t.numpy(), np.zeros(3))


def test_views_share_versions_on_the_gpu():
    x = gpu_leaf(2, 3)
    view = x.T
    loss = (view * view).sum()
    with ag.no_grad():
        x.reshape(6).add_(1.0)
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_an_optimizer_step_on_the_gpu_is_versioned():
    w = gpu_leaf(3)
    opt = optim.Adam([w])
    (w * w).sum().backward()
    loss = (w * w).sum()
    opt.step()
    assert w._version == 1 and w.device == "cuda:0"
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_the_anomaly_fingerprint_on_the_gpu():
    x = gpu_leaf(3)
    with ag.detect_anomaly():
        loss = (x * x).sum()
        x.data[0] = 10.0
        with pytest.raises(RuntimeError, match="Mul saved for backward"):
            loss.backward()


def test_sigmoid_and_log_sigmoid_on_the_gpu_match_the_cpu():
    values = np.linspace(-700, 700, 2001)
    for dtype in (np.float64, np.float32):
        cpu = ag.sigmoid(ag.tensor(values.astype(dtype))).numpy()
        gpu = ag.sigmoid(ag.tensor(values.astype(dtype), device="cuda")).numpy()
        # Where the CPU's result is subnormal, the GPU's may be flushed to zero (CUDA's fast float32 path);
        # everywhere else two libms agree to a few ulp.
        subnormal = np.abs(cpu) < np.finfo(dtype).tiny
        assert np.all((gpu[subnormal] == cpu[subnormal]) | (gpu[subnormal] == 0)), dtype
        np.testing.assert_array_max_ulp(gpu[~subnormal], cpu[~subnormal], maxulp=8)
    assert ag.log_sigmoid(ag.tensor(-1000.0, device="cuda")).item() == -1000.0


def test_a_wrong_gradient_shape_is_caught_on_the_gpu():
    x = gpu_leaf(3)
    x.register_hook(lambda grad: grad.reshape(3, 1))
    with pytest.raises(ValueError, match=r"returned a gradient of shape \(3, 1\)"):
        (x * 2.0).sum().backward()
