"""The engine on CuPy: the same operations give NumPy's values and gradients, with no copy to the host.

Every test here needs CuPy and a CUDA device; tests/conftest.py skips them
otherwise, and tests/run_gpu_suite.sh runs them on a CUDA machine.
"""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Tensor, backend

pytestmark = pytest.mark.gpu

rng = np.random.default_rng(7)


def smooth(*shape):
    return 0.8 * rng.standard_normal(shape)


def away_from_zero(*shape):
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.2, 1.5, size=shape)


def distinct(*shape):
    size = int(np.prod(shape))
    return ((rng.permutation(size) - size / 2) * 0.3).reshape(shape)


@pytest.fixture
def cp():
    """The cupy module (tests/conftest.py has already skipped this test if there is none)."""
    return backend.cupy_module()


# (name, make(xp) -> function of Tensors, input arrays); constants come from ``xp`` so they sit on the device
GPU_CASES = [
    ("add broadcast", lambda xp: lambda a, b: a + b, [smooth(2, 3), smooth(3)]),
    ("sub and numbers", lambda xp: lambda a: 1.5 - a * 2.0 + 0.5, [smooth(2, 3)]),
    ("numpy scalar times tensor", lambda xp: lambda a: np.float64(2.0) * a, [smooth(2, 3)]),
    ("mul 0-d", lambda xp: lambda a, b: a * b, [smooth(), smooth(2, 3)]),
    ("div", lambda xp: lambda a, b: a / b, [smooth(2, 3), away_from_zero(2, 3)]),
    ("pow", lambda xp: lambda a: a ** 3 + (a * a + 1.0) ** 0.5, [smooth(2, 3)]),
    ("exp log sqrt", lambda xp: lambda a: ag.exp(a) + ag.log(a * a + 1.0) + ag.sqrt(a * a + 0.5), [smooth(2, 3)]),
    ("sin cos tanh sigmoid", lambda xp: lambda a: ag.sin(a) * ag.cos(a) + ag.tanh(a) - ag.sigmoid(a),
     [smooth(2, 3)]),
    ("relu abs leaky", lambda xp: lambda a, alpha: ag.relu(a) + abs(a) + ag.leaky_relu(a, alpha),
     [away_from_zero(2, 3), np.array(0.1)]),
    ("hard_tanh clip", lambda xp: lambda a: ag.hard_tanh(a) + ag.clip(a, -0.5, 0.5),
     [np.array([[-1.7, -0.6, 0.3], [0.8, 1.4, -0.2]])]),
    ("maximum minimum", lambda xp: lambda a, b: ag.maximum(a, b) - ag.minimum(a, b * 0.5),
     [distinct(2, 3), distinct(2, 3) + 0.15]),
    ("where", lambda xp: lambda a, b: ag.where(xp.asarray([[True, False, True], [False, True, False]]), a, b),
     [smooth(2, 3), smooth(3)]),
    ("sum mean var axes", lambda xp: lambda a: a.sum(axis=0) + a.mean(axis=(0, 2), keepdims=True).sum() + a.var(),
     [smooth(2, 3, 2)]),
    ("max min", lambda xp: lambda a: a.max(axis=1) + a.min(), [distinct(3, 4)]),
    ("norm", lambda xp: lambda a: ag.norm(a, axis=1), [smooth(2, 3)]),
    ("logsumexp softmax log_softmax", lambda xp: lambda a: ag.logsumexp(a, axis=1).sum() * ag.softmax(a)
     + ag.log_softmax(a, axis=0), [smooth(2, 3)]),
    ("shapes", lambda xp: lambda a: a.reshape(3, 2).T.swapaxes(0, 1).expand_dims(0).squeeze(0)
     .broadcast_to((2, 3, 2)), [smooth(2, 3)]),
    ("concatenate stack", lambda xp: lambda a, b: ag.concatenate([a, b], axis=0) + ag.stack([a[0], b[0]]).sum(),
     [smooth(1, 3), smooth(1, 3)]),
    ("indexing", lambda xp: lambda a: a[1] + a[:, ::2].sum() + a[xp.asarray([0, 0, 1])].sum(axis=0)
     + a[None, ..., 2].sum(), [smooth(2, 3)]),
    ("boolean mask", lambda xp: lambda a: a[xp.asarray([[True, False, True], [False, True, True]])], [smooth(2, 3)]),
    ("matmul", lambda xp: lambda a, b, c: (a @ b) @ c, [smooth(2, 2, 3), smooth(3, 2), smooth(2)]),
    ("cross_entropy labels", lambda xp: lambda v: ag.cross_entropy(v, xp.asarray([2, 0, 1])), [smooth(3, 3)]),
    ("cross_entropy soft", lambda xp: lambda v: ag.cross_entropy(v, xp.full((3, 4), 0.25), reduction="sum"),
     [smooth(3, 4)]),
    ("binary_cross_entropy", lambda xp: lambda v: ag.binary_cross_entropy(v, xp.asarray([[0.0, 1.0], [0.3, 0.9]])),
     [smooth(2, 2)]),
    ("mse", lambda xp: lambda p: ag.mse(p, xp.zeros((2, 3))), [smooth(2, 3)]),
]


def _run(case_make, inputs, xp, device):
    leaves = [Tensor(np.array(value), requires_grad=True, device=device) for value in inputs]
    function = case_make(xp)
    output = function(*leaves)
    direction = xp.asarray(np.random.default_rng(1).standard_normal(output.shape))
    gradients = ag.grad(output, leaves, grad_outputs=direction)
    return output, gradients


@pytest.mark.parametrize("name, make, inputs", GPU_CASES, ids=[case[0] for case in GPU_CASES])
def test_operation_on_cupy_matches_numpy(cp, name, make, inputs):
    cpu_output, cpu_gradients = _run(make, inputs, np, "cpu")
    gpu_output, gpu_gradients = _run(make, inputs, cp, "cuda")
    assert isinstance(gpu_output.data, cp.ndarray) and gpu_output.device == "cuda:0"
    np.testing.assert_allclose(gpu_output.numpy(), cpu_output.numpy(), rtol=1e-10, atol=1e-12)
    for cpu_gradient, gpu_gradient in zip(cpu_gradients, gpu_gradients):
        assert isinstance(gpu_gradient.data, cp.ndarray)  # the gradient never left the device
        np.testing.assert_allclose(gpu_gradient.numpy(), cpu_gradient.numpy(), rtol=1e-10, atol=1e-12)


def test_gradcheck_and_path_sum_on_the_gpu(cp):
    x = Tensor(smooth(2, 3), requires_grad=True, device="cuda")
    W = Tensor(smooth(3, 2), requires_grad=True, device="cuda")
    assert ag.gradcheck(lambda a, b: ag.tanh(a @ b) * ag.sigmoid(a).sum(), [x, W])
    loss = (ag.tanh(x @ W) * 2.0).sum()
    by_paths = ag.grad(loss, [x, W], method="paths", retain_graph=True)
    by_dp = ag.grad(loss, [x, W])
    for path_sum, dp in zip(by_paths, by_dp):
        assert isinstance(dp.data, cp.ndarray)
        np.testing.assert_allclose(path_sum.numpy(), dp.numpy(), rtol=1e-10, atol=1e-12)


def test_scalar_graph_on_the_gpu(cp):
    w = Tensor(0.7, requires_grad=True, device="cuda")
    o = (w * w).sin() + (w * w).cos()
    o.backward()
    assert w.grad.device == "cuda:0"
    assert w.grad.item() == pytest.approx(2 * 0.7 * np.cos(0.49) - 2 * 0.7 * np.sin(0.49), rel=1e-12)
    assert ag.grad((w * w).sin() + (w * w).cos(), w, method="paths").item() == pytest.approx(w.grad.item())


def test_float32_on_the_gpu_keeps_float32_gradients(cp):
    W = Tensor(smooth(4, 3).astype(np.float32), requires_grad=True, device="cuda")
    x = Tensor(smooth(5, 4).astype(np.float32), device="cuda")
    loss = ag.cross_entropy(x @ W, cp.asarray([0, 1, 2, 0, 1]))
    loss.backward()
    assert loss.dtype == np.float32 and W.grad.dtype == np.float32
    assert isinstance(W.grad.data, cp.ndarray)


def test_second_derivatives_on_the_gpu(cp):
    x = Tensor(np.array([0.3, -0.6]), requires_grad=True, device="cuda")
    hessian = ag.hessian(lambda t: (ag.tanh(t) * t).sum(), x)
    t = np.array([0.3, -0.6])
    sech2 = 1 - np.tanh(t) ** 2
    expected = np.diag(2 * sech2 - 2 * t * np.tanh(t) * sech2)
    np.testing.assert_allclose(hessian.numpy(), expected, rtol=1e-12, atol=1e-14)


def test_to_cuda_and_back_round_trips_values_and_gradients(cp):
    values = np.array([[1.0, -2.0], [0.5, 3.0]])
    x = Tensor(values, requires_grad=True)
    on_gpu = x.to("cuda")
    assert on_gpu.device == "cuda:0" and isinstance(on_gpu.data, cp.ndarray)
    assert on_gpu.to("cuda:0") is on_gpu and x.cuda().device == "cuda:0"
    back = (on_gpu * on_gpu).to("cpu")
    assert back.device == "cpu" and isinstance(back.data, np.ndarray)
    np.testing.assert_array_equal(back.numpy(), values ** 2)
    back.sum().backward()  # the gradient crosses back to the host through both copies
    assert x.grad.device == "cpu"
    np.testing.assert_array_equal(x.grad.numpy(), 2 * values)
    assert "device='cuda:0'" in repr(on_gpu)
    assert isinstance(on_gpu.numpy(), np.ndarray)
    assert Tensor(cp.ones(3)).device == "cuda:0"


def test_mixing_devices_raises_naming_both(cp):
    cpu = Tensor(np.ones(3), requires_grad=True)
    gpu = Tensor(np.ones(3), requires_grad=True, device="cuda")
    with pytest.raises(RuntimeError, match="Add got inputs on different devices: cpu, cuda:0"):
        cpu + gpu
    with pytest.raises(RuntimeError, match="Mul got inputs on different devices: cpu, cuda:0"):
        gpu * np.ones(3)  # a NumPy array constant is on the host
    with pytest.raises(RuntimeError, match="MatMul got inputs on different devices: cpu, cuda:0"):
        Tensor(np.ones((2, 3))) @ Tensor(np.ones(3), device="cuda")
