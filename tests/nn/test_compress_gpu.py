"""Compression on CuPy arrays: the same masks, codebooks, hashes and files as on NumPy (skipped without a GPU)."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import nn, optim
from autograd_core.nn import compress

pytestmark = [pytest.mark.gpu, pytest.mark.usefixtures("float64_layers")]  # compared with the CPU to 1e-10

X = np.random.default_rng(0).normal(size=(32, 6))
y = np.random.default_rng(1).integers(0, 3, size=32)


def steps(model, device, count=4):
    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    inputs, labels = ag.Tensor(X, device=device), ag.Tensor(y, device=device).data
    for _ in range(count):
        loss = nn.functional.cross_entropy(model(inputs), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def weights(model):
    return [p for p in model.parameters() if p.ndim == 2]


def test_pruned_weights_stay_zero_on_the_gpu_and_match_the_cpu():
    results = {}
    for device in ("cpu", "cuda"):
        model = nn.MLP([6, 8, 3], rng=0).to(device)
        compress.prune(model, sparsity=0.6)
        steps(model, device)
        assert all(w.device.startswith(device) for w in weights(model))
        results[device] = [w.numpy() for w in weights(model)]
    for cpu, gpu in zip(results["cpu"], results["cuda"]):
        np.testing.assert_allclose(gpu, cpu, rtol=1e-10, atol=1e-12)
        assert np.all(gpu[cpu == 0] == 0)


def test_moving_a_pruned_model_keeps_its_masks():
    model = nn.MLP([6, 8, 3], rng=0)
    compress.prune(model, sparsity=0.5)
    zeros = [w.numpy() == 0 for w in weights(model)]
    model.to("cuda")
    steps(model, "cuda")
    model.to("cpu")
    steps(model, "cpu")
    for pruned, weight in zip(zeros, weights(model)):
        assert np.all(weight.numpy()[pruned] == 0)


def test_shared_weights_hashed_and_low_rank_layers_run_on_the_gpu(tmp_path):
    for build in (lambda: compress.share_weights(compress.prune(nn.MLP([6, 8, 3], rng=0), sparsity=0.5), bits=2),
                  lambda: nn.Sequential(nn.HashedLinear(6, 8, buckets=10, rng=0), nn.ReLU(), nn.Linear(8, 3, rng=1)),
                  lambda: compress.low_rank(nn.MLP([6, 8, 3], rng=0), 2)):
        cpu_model, gpu_model = build(), build().to("cuda")
        steps(cpu_model, "cpu")
        steps(gpu_model, "cuda")
        np.testing.assert_allclose(nn.predict(gpu_model, ag.Tensor(X, device="cuda").data).get(),
                                   nn.predict(cpu_model, X), rtol=1e-9, atol=1e-12)
        compress.save(gpu_model, tmp_path / "gpu.agcz")
        np.testing.assert_array_equal(nn.predict(compress.load(tmp_path / "gpu.agcz"), X),
                                      nn.predict(gpu_model.to("cpu"), X))


def test_distillation_from_a_gpu_teacher():
    teacher = nn.MLP([6, 8, 3], rng=0).to("cuda")
    student = nn.MLP([6, 4, 3], rng=1).to("cuda")
    history = compress.distill(teacher, student, ag.Tensor(X, device="cuda").data, epochs=3, batch_size=8)
    assert history["loss"][-1] < history["loss"][0]
