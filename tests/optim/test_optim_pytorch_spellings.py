"""optim for a PyTorch user: Adam's betas=(rho_f, rho)."""
import numpy as np
import pytest

import autograd_core as ag
from autograd_core import optim


def test_adam_betas_are_rho_f_and_rho():
    w = ag.tensor(np.ones(3), requires_grad=True)
    by_betas = optim.Adam([w], lr=0.1, betas=(0.8, 0.99))
    by_name = optim.Adam([ag.tensor(np.ones(3), requires_grad=True)], lr=0.1, rho_f=0.8, rho=0.99)
    for setting in ("rho_f", "rho"):
        assert by_betas.param_groups[0][setting] == by_name.param_groups[0][setting]
    for optimizer in (by_betas, by_name):
        parameter = optimizer.parameters()[0]
        for _ in range(3):
            optimizer.zero_grad()
            (parameter * parameter).sum().backward()
            optimizer.step()
    np.testing.assert_array_equal(by_betas.parameters()[0].numpy(), by_name.parameters()[0].numpy())


def test_adam_betas_errors():
    w = ag.tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match="not both"):
        optim.Adam([w], betas=(0.8, 0.99), rho=0.9)
    with pytest.raises(ValueError, match="betas must be a pair"):
        optim.Adam([w], betas=0.9)
    with pytest.raises(ValueError, match=r"rho must lie in \[0, 1\)"):
        optim.Adam([w], betas=(0.9, 1.5))
