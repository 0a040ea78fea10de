"""The graph keeps only what backward needs: large intermediates no operation saved are not held."""
import gc
import weakref

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Tensor
from autograd_core.function import RELEASE_BYTES
from autograd_core.gradcheck import replay

SIZE = RELEASE_BYTES // 8 + 100  # float64 entries: just above the threshold


def test_an_unsaved_large_intermediate_is_freed_when_the_user_drops_it():
    rng = np.random.default_rng(0)
    x = Tensor(rng.standard_normal(SIZE), requires_grad=True)
    product = x * 3.0                       # Mul saves x and 3.0, not its output
    array = weakref.ref(product.data)
    total = (product + 1.0).sum()           # Add saves nothing: it keeps a stand-in for `product`
    del product
    gc.collect()
    assert array() is None
    total.backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(SIZE, 3.0))


def test_a_small_intermediate_is_kept_so_drawings_can_show_it():
    x = Tensor(np.ones(4), requires_grad=True)
    product = x * 3.0
    total = (product + 1.0).sum()
    assert any(value is product for value in total.grad_fn.inputs[0].grad_fn.inputs)


def test_a_saved_large_intermediate_stays_the_users_tensor():
    x = Tensor(np.linspace(-1, 1, SIZE), requires_grad=True)
    hidden = x * 2.0
    out = (hidden * hidden).sum()           # Mul saves hidden: the node holds the tensor itself
    assert out.grad_fn.inputs[0].grad_fn.inputs[0] is hidden


def test_paths_gradients_and_replay_see_one_node_for_a_tensor_and_its_stand_in():
    x = Tensor(np.linspace(-1, 1, SIZE), requires_grad=True)
    hidden = x * 2.0
    out = (hidden + 1.0).sum() + (hidden * hidden).sum()   # Add holds a stand-in, Mul the tensor
    assert ag.count_paths(out, hidden) == 3                  # one edge through Add, two through Mul
    np.testing.assert_allclose(replay(out), out.item(), rtol=1e-12)
    gradient = ag.grad(out, hidden)
    np.testing.assert_allclose(gradient.numpy(), 1.0 + 2.0 * hidden.numpy(), rtol=1e-12)


def test_the_values_of_a_stand_in_cannot_be_read_by_mistake():
    x = Tensor(np.ones(SIZE), requires_grad=True)
    total = (x * 3.0 + 1.0).sum()
    stand_in = total.grad_fn.inputs[0].grad_fn.inputs[0]
    assert stand_in.shape == (SIZE,) and stand_in.dtype == np.float64
    with pytest.raises(RuntimeError, match="were not kept by the graph"):
        stand_in.numpy()


def test_drawing_shows_one_box_for_a_tensor_used_by_a_saving_and_a_non_saving_operation():
    graphviz = pytest.importorskip("graphviz", reason="the graphviz Python package is an optional dependency")
    x = Tensor(np.linspace(-1, 1, SIZE), requires_grad=True, name="x")
    hidden = x * 2.0
    hidden.name = "hidden"
    out = (hidden + 1.0).sum() + (hidden * hidden).sum()
    source = ag.draw(out).source
    assert isinstance(ag.draw(out), graphviz.Digraph)
    assert source.count("<B>hidden</B>") == 1
