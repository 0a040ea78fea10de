"""Contract: in-place operations really are in place, are versioned, and follow PyTorch's rules.

A tensor and its views share one version counter; a backward through a node
that saved a tensor changed in place since raises. ``.data`` is the raw array:
assigning to it is validated, writing into it bypasses the engine except under
``detect_anomaly``, which fingerprints saved arrays.
"""
import numpy as np
import pytest

import autograd_core as ag


def leaf(*shape, seed=0):
    return ag.tensor(np.random.default_rng(seed).standard_normal(shape), requires_grad=True)


# --- the manual update, and every in-place operator -------------------------------------------
def test_the_manual_update_of_a_parameter_loop_trains():
    params = [leaf(3, seed=1), leaf(2, seed=2)]
    before = [p.numpy().copy() for p in params]
    arrays = [p.data for p in params]
    sum(((p * p).sum() for p in params), ag.tensor(0.0)).backward()
    with ag.no_grad():
        for p in params:
            p -= 0.1 * p.grad
    for p, old, array in zip(params, before, arrays):
        np.testing.assert_allclose(p.numpy(), old - 0.1 * 2 * old)
        assert p.data is array  # the same array, changed in place
        assert p.requires_grad and p.is_leaf


@pytest.mark.parametrize("operator, expected", [
    ("+=", [3.0, 4.0]), ("-=", [-1.0, 0.0]), ("*=", [2.0, 4.0]), ("/=", [0.5, 1.0]), ("**=", [1.0, 4.0]),
])
def test_each_in_place_operator_keeps_the_tensor_and_its_array(operator, expected):
    t = ag.tensor([1.0, 2.0])
    alias, array = t, t.data
    namespace = {"t": t}
    exec(f"t {operator} 2.0", namespace)
    assert namespace["t"] is alias and alias.data is array
    np.testing.assert_allclose(alias.numpy(), expected)
    assert alias._version == 1


def test_in_place_matmul_keeps_the_shape_or_refuses():
    t = ag.tensor(np.eye(2) * 2.0)
    alias = t
    t @= ag.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t is alias
    np.testing.assert_allclose(t.numpy(), [[2.0, 4.0], [6.0, 8.0]])
    with pytest.raises(ValueError, match="must keep the tensor's shape"):
        t @= ag.tensor(np.ones((2, 3)))


def test_in_place_methods():
    t = ag.tensor([1.0, -2.0, 3.0])
    assert t.add_(1.0) is t
    np.testing.assert_allclose(t.numpy(), [2.0, -1.0, 4.0])
    t.add_(ag.tensor([1.0, 1.0, 1.0]), alpha=2.0)
    np.testing.assert_allclose(t.numpy(), [4.0, 1.0, 6.0])
    t.sub_(1.0).mul_(2.0).div_(4.0)
    np.testing.assert_allclose(t.numpy(), [1.5, 0.0, 2.5])
    t.clamp_(0.5, 2.0)
    np.testing.assert_allclose(t.numpy(), [1.5, 0.5, 2.0])
    t.clamp_(max=1.0)
    np.testing.assert_allclose(t.numpy(), [1.0, 0.5, 1.0])
    t.copy_(np.array([7.0, 8.0, 9.0]))
    np.testing.assert_allclose(t.numpy(), [7.0, 8.0, 9.0])
    t.copy_(ag.tensor(5.0))  # broadcast to the shape
    np.testing.assert_allclose(t.numpy(), [5.0, 5.0, 5.0])
    t.fill_(3.0)
    np.testing.assert_allclose(t.numpy(), [3.0, 3.0, 3.0])
    t.zero_()
    np.testing.assert_allclose(t.numpy(), [0.0, 0.0, 0.0])
    assert t._version == 11


def test_zero_and_fill_keep_integer_and_boolean_dtypes():
    flags = ag.tensor([True, False]).fill_(True)
    np.testing.assert_array_equal(flags.zero_().numpy(), [False, False])
    counts = ag.tensor([3, 4]).zero_()
    assert counts.dtype == np.int64 and counts.numpy().tolist() == [0, 0]
    with pytest.raises(TypeError, match="cannot be stored in a tensor of dtype int64"):
        counts.fill_(2.5)


def test_grad_zero_in_place():
    x = leaf(3)
    (x * 2.0).sum().backward()
    grad = x.grad
    x.grad.zero_()
    assert x.grad is grad
    np.testing.assert_array_equal(x.grad.numpy(), np.zeros(3))


def test_requires_grad_in_place():
    t = ag.tensor([1.0, 2.0])
    assert t.requires_grad_() is t and t.requires_grad
    (t * t).sum().backward()
    np.testing.assert_allclose(t.grad.numpy(), [2.0, 4.0])
    with pytest.raises(TypeError, match="floating-point"):
        ag.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="only leaves"):
        (t * 2.0).requires_grad_(False)


def test_in_place_keeps_the_dtype_and_refuses_what_does_not_fit():
    t = ag.tensor(np.ones(3, dtype=np.float32))
    t += np.ones(3)  # float64 values stored in the float32 array
    assert t.dtype == np.float32
    with pytest.raises(ValueError, match=r"shape \(5,\) cannot be applied in place to a tensor of shape \(3,\)"):
        t += np.ones(5)
    with pytest.raises(TypeError, match="int64 cannot hold the result"):
        ag.tensor([1, 2, 3]).div_(2)
    with pytest.raises(TypeError, match="operand must be"):
        t.add_("1")
    with pytest.raises(TypeError, match="operand must be"):
        t.add_(None)
    with pytest.raises(ValueError, match="at least one of min and max"):
        t.clamp_()
    with pytest.raises(TypeError, match="must be a number"):
        t.fill_([1.0])


# --- PyTorch's rules ---------------------------------------------------------------------------
@pytest.mark.parametrize("change", [
    lambda w: w.__isub__(1.0), lambda w: w.add_(1.0), lambda w: w.mul_(2.0), lambda w: w.zero_(),
    lambda w: w.copy_(np.zeros(3)), lambda w: w.clamp_(0.0, 1.0), lambda w: w.fill_(1.0),
])
def test_changing_a_leaf_that_requires_grad_while_recording_is_an_error_naming_no_grad(change):
    w = leaf(3)
    with pytest.raises(RuntimeError, match=r"leaf tensor of shape \(3,\) requires gradients.*ag.no_grad\(\)"):
        change(w)
    with ag.no_grad():
        change(w)  # allowed inside no_grad
    assert w._version == 1


def test_in_place_methods_on_a_tensor_of_the_graph_are_refused_while_recording():
    x = leaf(3)
    h = x * 2.0
    with pytest.raises(RuntimeError, match="not recorded in the graph.*out-of-place"):
        h.add_(1.0)
    constant = ag.tensor(np.ones(3))
    with pytest.raises(RuntimeError, match="the operand requires gradients"):
        constant.mul_(x)


def test_augmented_assignment_on_a_tensor_of_the_graph_records_a_new_node():
    """While recording, ``h += b`` on a non-leaf is ``h = h + b`` (documented): the gradient is right."""
    x = leaf(3)
    b = leaf(3, seed=5)
    h = x * 2.0
    h += b
    h *= x
    h.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 4 * x.numpy() + b.numpy())
    np.testing.assert_allclose(b.grad.numpy(), x.numpy())


def test_changing_a_saved_tensor_bumps_its_version_and_backward_raises():
    x = leaf(3)
    loss = (x * x).sum()
    assert x._version == 0
    with ag.no_grad():
        x.add_(1.0)
    assert x._version == 1
    with pytest.raises(RuntimeError, match=r"Mul saved for backward was modified in place.*version is now 1"):
        loss.backward()


def test_changing_an_unsaved_tensor_is_harmless():
    x = leaf(3)
    loss = (x + 1.0).sum()
    with ag.no_grad():
        x.mul_(5.0)
    loss.backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.ones(3))


# --- views share their base's version ----------------------------------------------------------
VIEWS = {
    "reshape": lambda x: x.reshape(3, 2),
    "slice": lambda x: x[1:],
    "T": lambda x: x.T,
    "transpose": lambda x: ag.transpose(x, (1, 0)),
    "expand_dims": lambda x: ag.expand_dims(x, 0),
    "broadcast_to": lambda x: ag.broadcast_to(x, (4, 2, 3)),
    "detach": lambda x: x.detach().requires_grad_(),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_changing_the_base_of_a_saved_view_is_detected(name):
    x = leaf(2, 3)
    view = VIEWS[name](x)
    loss = (view * view).sum()  # Mul saves the view
    with ag.no_grad():
        x.add_(1.0)
    assert view._version == x._version == 1
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


@pytest.mark.parametrize("name", sorted(set(VIEWS) - {"broadcast_to"}))
def test_changing_a_view_changes_its_base_and_is_detected(name):
    x = leaf(2, 3)
    loss = (x * x).sum()  # Mul saves x
    with ag.no_grad():
        view = VIEWS[name](x)
        view.mul_(2.0)
    np.testing.assert_allclose(view.numpy(), VIEWS[name](x).numpy())
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()


def test_an_entry_chosen_by_integer_indexing_is_a_view_that_changes_in_place():
    t = ag.tensor([1.0, 2.0, 3.0])
    t[0].fill_(5.0)
    ag.tensor(np.ones((2, 2)))[1, 0].add_(1.0)
    t[1:].copy_([7.0, 8.0])
    np.testing.assert_array_equal(t.numpy(), [5.0, 7.0, 8.0])
    assert t._version == 2
    w = leaf(3)
    loss = (w * w).sum()
    with ag.no_grad():
        w[2].mul_(0.0)
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()
    with pytest.raises(RuntimeError, match="not recorded in the graph"):
        w[0].fill_(1.0)  # while recording, w[0] is a tensor of w's graph
    with pytest.raises(TypeError, match=r"t\[index\].copy_\(value\)"):
        t[0] = 1.0


def test_a_broadcast_view_cannot_be_changed_in_place():
    x = ag.tensor(np.ones(3))
    with pytest.raises(ValueError, match="read-only"):
        ag.broadcast_to(x, (2, 3)).add_(1.0)


def test_a_reshape_that_copies_is_an_independent_tensor():
    x = leaf(2, 3)
    copy = x.T.reshape(6)  # not contiguous: NumPy copies
    loss = (copy * copy).sum()
    with ag.no_grad():
        x.add_(1.0)
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * (x.numpy() - 1.0))


# --- .data ------------------------------------------------------------------------------------
def test_data_assignment_normalises_numbers_and_lists():
    w = ag.tensor(0.5, requires_grad=True)
    w.grad = ag.tensor(1.0)
    w.data = w.data - 0.1 * w.grad.data  # a numpy.float64
    assert isinstance(w.data, np.ndarray) and w.dtype == np.float64
    x = ag.tensor(2.0)
    (w * x + w).backward()
    assert w.grad.item() == pytest.approx(4.0)
    t = ag.tensor(np.zeros(2, dtype=np.float32))
    t.data = [1, 2]
    assert isinstance(t.data, np.ndarray) and t.dtype == np.float32
    t.data = 3
    assert t.data.shape == () and t.dtype == np.float32
    (t * 2.0).numpy()


@pytest.mark.parametrize("value, message", [
    ("abc", "must be an array, a list or a number"), (None, "must be an array"),
    (np.array(["a"]), "dtype <U1"), (np.array([object()]), "dtype object"),
    (np.array([1 + 2j]), "complex128"), (np.array([1, 2]), "requires gradients must be floating-point"),
    ([1, "a"], "cannot make an array"),
])
def test_data_assignment_refuses_what_a_tensor_cannot_hold(value, message):
    w = leaf(2)
    with pytest.raises(TypeError, match=message):
        w.data = value


def test_assigning_data_to_itself_is_no_false_alarm():
    x = leaf(3)
    loss = (x * x).sum()
    x.data = x.data
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.numpy())


def test_writes_through_data_are_caught_by_the_anomaly_fingerprint():
    x = leaf(3)
    with ag.detect_anomaly():
        loss = (x * x).sum()
        x.data[0] = 10.0
        with pytest.raises(RuntimeError, match=r"Mul saved for backward \(the input 0\).*\.data"):
            loss.backward()
    y = leaf(3)
    with ag.detect_anomaly():
        out = ag.exp(y)
        loss = out.sum()
        np.multiply(out.data, 2, out=out.data)
        with pytest.raises(RuntimeError, match=r"Exp saved for backward \(the output\)"):
            loss.backward()


def test_the_anomaly_fingerprint_stays_quiet_when_nothing_changed():
    x = leaf(3)
    with ag.detect_anomaly():
        (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * x.numpy())


# --- copying and sharing constructors ---------------------------------------------------------
def test_tensor_copies_its_input():
    array = np.array([1.0, 2.0])
    x = ag.tensor(array, requires_grad=True)
    array[0] = 100.0
    assert x.numpy()[0] == 1.0
    (x * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 4.0])


def test_from_numpy_and_as_tensor_share_memory():
    array = np.array([1.0, 2.0])
    shared = ag.from_numpy(array)
    also_shared = ag.as_tensor(array)
    array[0] = 100.0
    assert shared.numpy()[0] == 100.0 and also_shared.numpy()[0] == 100.0
    assert ag.as_tensor(shared) is shared
    converted = ag.as_tensor(array, dtype=np.float32)
    assert converted.dtype == np.float32 and converted.numpy()[0] == 100.0
    with pytest.raises(TypeError, match="numpy.ndarray"):
        ag.from_numpy([1.0, 2.0])
