"""The same optimizers on CuPy parameters give the NumPy results (skipped without a GPU)."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim
from optim_problems import START

pytestmark = pytest.mark.gpu

MAKERS = [
    lambda p: optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True),
    lambda p: optim.DeltaBarDelta(p, lr=0.05),
    lambda p: optim.AdaGrad(p, lr=0.1),
    lambda p: optim.RMSProp(p, lr=0.01, momentum=0.9, nesterov=True),
    lambda p: optim.AdaDelta(p),
    lambda p: optim.Adam(p, lr=0.05),
]


def train_on(device, make, steps=5):
    W = ag.tensor(START.copy(), requires_grad=True, device=device)
    opt = make([W])

    def closure():
        opt.zero_grad()
        loss = (W ** 4 * 0.25 + W * W).sum()
        loss.backward()
        return loss

    for _ in range(steps):
        opt.step(closure)
    assert W.device.startswith(device)
    return W.numpy(), opt.state_dict()


@pytest.mark.parametrize("make", MAKERS)
def test_cupy_parameters_match_numpy(make):
    cpu_weights, _ = train_on("cpu", make)
    gpu_weights, gpu_state = train_on("cuda", make)
    np.testing.assert_allclose(gpu_weights, cpu_weights, rtol=1e-10)
    W_cpu = ag.tensor(cpu_weights, requires_grad=True)
    make([W_cpu]).load_state_dict(gpu_state)      # CuPy state loads onto a NumPy parameter


def test_clipping_and_averaging_on_cupy():
    W = ag.tensor(START.copy(), requires_grad=True, device="cuda")
    averager = optim.PolyakAverage([W], beta=0.5)
    (W * W).sum().backward()
    norm = optim.clip_grad_norm([W], max_norm=0.1)
    assert norm == pytest.approx(2 * np.linalg.norm(START))
    assert optim.grad_norm([W]) == pytest.approx(0.1)
    optim.clip_grad_value([W], 0.01)
    assert W.grad.device.startswith("cuda")
    averager.update()
    with averager.averaged():
        assert W.device.startswith("cuda")
