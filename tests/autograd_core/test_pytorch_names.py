"""The tensor API a PyTorch or NumPy user reaches for: spellings, creation, conversions, and their errors."""
import math

import numpy as np
import pytest

import autograd_core as ag
from autograd_core import Tensor


def leaf(values):
    return Tensor(np.array(values, dtype=np.float64), requires_grad=True)


# --- dim= and keepdim= beside axis= and keepdims= ---------------------------------------------------
def test_dim_and_keepdim_give_the_same_result_as_axis_and_keepdims():
    x = leaf(np.arange(24.0).reshape(2, 3, 4))
    pairs = [
        (x.sum(dim=1, keepdim=True), x.sum(axis=1, keepdims=True)),
        (ag.mean(x, dim=(0, 2)), ag.mean(x, axis=(0, 2))),
        (x.max(dim=-1), x.max(axis=-1)),
        (ag.softmax(x, dim=0), ag.softmax(x, axis=0)),
        (ag.concatenate([x, x], dim=2), ag.concatenate([x, x], axis=2)),
        (x.squeeze(dim=None), x.squeeze()),
        (ag.expand_dims(x, dim=0), ag.expand_dims(x, axis=0)),
        (x.std(dim=1), x.std(axis=1)),
    ]
    for torch_spelled, numpy_spelled in pairs:
        assert torch_spelled.shape == numpy_spelled.shape
        np.testing.assert_array_equal(torch_spelled.numpy(), numpy_spelled.numpy())


def test_an_unknown_keyword_names_the_accepted_ones():
    x = leaf([[1.0, 2.0]])
    accepted = r"it accepts: axis, keepdims \(and PyTorch's dim, keepdim\)"
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'axes'; " + accepted):
        x.sum(axes=0)
    softmax_accepts = r"it accepts: axis \(and PyTorch's dim\)$"
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'keepdim'; " + softmax_accepts):
        ag.softmax(x, keepdim=True)  # softmax keeps its shape: it has no keepdims, so no keepdim either
    with pytest.raises(TypeError, match="both axis= and its PyTorch spelling dim="):
        ag.sum(x, axis=0, dim=0)
    with pytest.raises(TypeError, match="both keepdims= and its PyTorch spelling keepdim="):
        x.sum(0, True, keepdim=True)
    with pytest.raises(TypeError, match=r"gather\(\) missing required argument\(s\): axis \(or dim\)"):
        ag.gather(x, index=np.zeros((1, 2), dtype=int))


# --- creation ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("make", [ag.zeros, ag.ones, ag.rand, ag.randn])
def test_shapes_as_a_tuple_or_as_separate_integers(make):
    assert make(2, 3).shape == (2, 3)
    assert make((2, 3)).shape == (2, 3)
    assert make([4]).shape == (4,)
    assert make().shape == ()
    with pytest.raises(ValueError, match="non-negative"):
        make(2, -1)
    with pytest.raises(TypeError, match="shape is integers"):
        make(2.5)


def test_creation_values_dtypes_and_requires_grad():
    np.testing.assert_array_equal(ag.zeros(2, 2).numpy(), np.zeros((2, 2)))
    np.testing.assert_array_equal(ag.ones(3, dtype=np.float32).numpy(), np.ones(3, dtype=np.float32))
    assert ag.ones(3, dtype=np.float32).dtype == np.float32
    np.testing.assert_array_equal(ag.full((2, 2), 7.0).numpy(), np.full((2, 2), 7.0))
    np.testing.assert_array_equal(ag.eye(3, 2).numpy(), np.eye(3, 2))
    np.testing.assert_array_equal(ag.arange(5).numpy(), np.arange(5))
    np.testing.assert_allclose(ag.arange(0.0, 1.0, 0.25).numpy(), [0.0, 0.25, 0.5, 0.75])
    np.testing.assert_allclose(ag.linspace(0, 1, 5).numpy(), np.linspace(0, 1, 5))
    np.testing.assert_allclose(ag.linspace(0, 1, steps=3).numpy(), [0.0, 0.5, 1.0])
    w = ag.randn(3, 2, requires_grad=True)
    assert w.requires_grad and w.is_leaf and w.dtype == np.float64
    (w * w).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), 2 * w.numpy())
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients"):
        ag.arange(3, requires_grad=True)
    with pytest.raises(TypeError, match="random values are floating-point"):
        ag.rand(2, dtype=np.int64)
    with pytest.raises(ValueError, match="step must not be 0"):
        ag.arange(0, 3, 0)


def test_like_functions_follow_the_given_tensor():
    x = Tensor(np.ones((2, 3), dtype=np.float32))
    for made in (ag.zeros_like(x), ag.ones_like(x), ag.full_like(x, 2.0), ag.randn_like(x)):
        assert made.shape == (2, 3) and made.dtype == np.float32 and made.device == "cpu"
    np.testing.assert_array_equal(ag.full_like(x, 2.0).numpy(), np.full((2, 3), 2.0))
    assert ag.zeros_like(x, dtype=np.float64).dtype == np.float64
    assert ag.randn_like(Tensor(np.arange(3))).dtype == np.float64  # random values of an integer tensor's shape


def test_manual_seed_and_rng_make_random_tensors_reproducible():
    ag.manual_seed(7)
    first = ag.randn(4).numpy(), ag.rand(4).numpy()
    ag.manual_seed(7)
    second = ag.randn(4).numpy(), ag.rand(4).numpy()
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])
    assert not np.array_equal(first[0], ag.randn(4).numpy())  # the generator moves on
    np.testing.assert_array_equal(ag.randn(3, rng=5).numpy(), np.random.default_rng(5).standard_normal(3))
    generator = np.random.default_rng(11)
    np.testing.assert_array_equal(ag.rand(3, rng=generator).numpy(), np.random.default_rng(11).random(3))
    assert ag.rand(2, dtype=np.float32, rng=0).dtype == np.float32
    with pytest.raises(TypeError, match="rng must be"):
        ag.rand(2, rng="seed")
    with pytest.raises(ValueError, match="non-negative"):
        ag.manual_seed(-1)


def test_creating_on_a_missing_gpu_names_the_extra():
    if ag.gpu_available():
        pytest.skip("a GPU is present: tests/autograd_core/test_gpu.py covers creation there")
    with pytest.raises(RuntimeError, match=r"cuda12"):
        ag.zeros(2, device="cuda")


# --- methods and functions --------------------------------------------------------------------------
def test_clone_copies_and_passes_the_gradient():
    x = leaf([1.0, 2.0])
    y = x.clone()
    assert y.data is not x.data and y.grad_fn is not None
    (y * 3.0).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0])


def test_argmax_argmin_and_max_with_indices():
    x = Tensor(np.array([[1.0, 5.0, 5.0], [7.0, -2.0, 0.0]]), requires_grad=True)
    np.testing.assert_array_equal(ag.argmax(x, dim=1).numpy(), [1, 0])
    np.testing.assert_array_equal(x.argmin(axis=0).numpy(), [0, 1, 1])
    assert x.argmax().item() == 3 and not x.argmax().requires_grad
    values, indices = x.max_with_indices(dim=1)
    np.testing.assert_array_equal(values.numpy(), [5.0, 7.0])
    np.testing.assert_array_equal(indices.numpy(), [1, 0])
    values.sum().backward()  # the first maximal entry takes the gradient, as PyTorch's max(dim=...)
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    result = ag.min_with_indices(x, 0, keepdims=True)
    assert result.values.shape == (1, 3) and result.indices.shape == (1, 3)
    with pytest.raises(ValueError, match="axis must be an int"):
        ag.max_with_indices(x, axis=None)
    with pytest.raises(ValueError, match="argmax of an empty tensor"):
        ag.argmax(Tensor(np.zeros((0, 2))))


def test_shape_conveniences_and_their_errors():
    x = leaf(np.arange(24.0).reshape(2, 3, 4))
    assert x.view(6, 4).shape == (6, 4) and x.view((-1,)).shape == (24,)
    assert x.unsqueeze(0).shape == (1, 2, 3, 4) and x.unsqueeze(-1).shape == (2, 3, 4, 1)
    assert x.flatten().shape == (24,) and x.flatten(1).shape == (2, 12) and x.flatten(0, 1).shape == (6, 4)
    assert x.permute(2, 0, 1).shape == (4, 2, 3)
    assert x.dim() == x.ndim == 3
    assert Tensor(3.0).flatten().shape == (1,)
    with pytest.raises(ValueError, match="not a permutation"):
        x.permute(0, 0, 1)
    with pytest.raises(ValueError, match="unsqueeze: axis 5"):
        x.unsqueeze(5)
    with pytest.raises(ValueError, match="start_dim=2 comes after end_dim=1"):
        x.flatten(2, 1)


def test_pow_flip_tril_triu_match_numpy():
    a = np.arange(12.0).reshape(3, 4)
    x = Tensor(a)
    np.testing.assert_array_equal(x.pow(2).numpy(), a ** 2)
    np.testing.assert_array_equal(ag.pow(x, 2).numpy(), a ** 2)
    np.testing.assert_array_equal(x.flip(dim=0).numpy(), np.flip(a, 0))
    np.testing.assert_array_equal(ag.flip(x).numpy(), np.flip(a))
    np.testing.assert_array_equal(x.tril(1).numpy(), np.tril(a, 1))
    np.testing.assert_array_equal(ag.triu(x, -1).numpy(), np.triu(a, -1))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        ag.tril(Tensor(np.ones(3)))


def test_std_is_numpys_and_accepts_pytorchs_corrections():
    a = np.random.default_rng(0).standard_normal((4, 5))
    x = Tensor(a)
    np.testing.assert_allclose(x.std().item(), np.std(a))
    np.testing.assert_allclose(x.std(axis=1, ddof=1).numpy(), np.std(a, axis=1, ddof=1))
    np.testing.assert_allclose(x.std(dim=0, correction=1).numpy(), np.std(a, axis=0, ddof=1))
    np.testing.assert_allclose(x.std(dim=0, unbiased=False).numpy(), np.std(a, axis=0))
    with pytest.raises(TypeError, match="at most one of ddof=, correction= and unbiased="):
        x.std(ddof=1, unbiased=True)
    with pytest.raises(ValueError, match="divides by 0"):
        Tensor(np.ones(1)).std(ddof=1)


def test_std_of_a_constant_slice_has_gradient_zero_not_nan():
    x = leaf([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]])
    x.std(axis=1).sum().backward()
    assert np.all(np.isfinite(x.grad.numpy()))
    np.testing.assert_array_equal(x.grad.numpy()[0], [0.0, 0.0, 0.0])


def test_prod_and_cumsum_match_numpy_and_zeros_give_exact_gradients():
    a = np.array([[0.5, -2.0, 3.0], [1.5, 2.0, -1.0]])
    np.testing.assert_allclose(ag.prod(Tensor(a), dim=1).numpy(), np.prod(a, axis=1))
    np.testing.assert_allclose(Tensor(a).cumsum(axis=0).numpy(), np.cumsum(a, axis=0))
    np.testing.assert_allclose(ag.cumsum(Tensor(a)).numpy(), np.cumsum(a))
    one_zero = leaf([2.0, 0.0, 3.0])
    one_zero.prod().backward()
    np.testing.assert_array_equal(one_zero.grad.numpy(), [0.0, 6.0, 0.0])
    two_zeros = leaf([2.0, 0.0, 0.0])
    gradient = ag.grad(two_zeros.prod(), two_zeros)
    np.testing.assert_array_equal(gradient.numpy(), [0.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="second derivatives at a slice with two or more zero entries"):
        ag.grad(two_zeros.prod(), two_zeros, create_graph=True)


def test_gather_follows_pytorch_and_repeated_indices_add_up():
    x = leaf([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    index = np.array([[2, 2, 0], [1, 1, 1]])
    picked = x.gather(1, index)
    np.testing.assert_array_equal(picked.numpy(), [[3.0, 3.0, 1.0], [5.0, 5.0, 5.0]])
    picked.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, 0.0, 2.0], [0.0, 3.0, 0.0]])
    np.testing.assert_array_equal(ag.gather(x, 0, np.array([[1, 0, 1]])).numpy(), [[4.0, 2.0, 6.0]])
    with pytest.raises(TypeError, match="index must hold integers"):
        x.gather(1, np.array([[0.0]]))
    with pytest.raises(ValueError, match="as many dimensions"):
        x.gather(1, np.array([0, 1]))
    with pytest.raises(ValueError, match=r"must lie in \[0, 2\]"):
        x.gather(1, np.array([[3]]))
    with pytest.raises(ValueError, match=r"must lie in \[0, 2\]"):
        x.gather(1, np.array([[-1]]))
    with pytest.raises(ValueError, match="larger than the input"):
        x.gather(1, np.zeros((3, 1), dtype=int))


def test_one_hot():
    encoded = ag.one_hot(np.array([2, 0, 1]), 4)
    np.testing.assert_array_equal(encoded.numpy(), np.eye(4, dtype=np.int64)[[2, 0, 1]])
    assert encoded.dtype == np.int64 and not encoded.requires_grad
    assert ag.one_hot(Tensor(np.array([[1], [0]]))).shape == (2, 1, 2)
    assert ag.one_hot(np.array([1]), 3, dtype=np.float32).dtype == np.float32
    with pytest.raises(ValueError, match=r"labels must lie in \[0, 2\]"):
        ag.one_hot(np.array([3]), 3)
    with pytest.raises(TypeError, match="labels must be integers"):
        ag.one_hot(np.array([1.0]))


def test_einsum_matches_numpy_and_refuses_what_it_cannot_differentiate():
    rng = np.random.default_rng(1)
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    for subscripts, operands in [("ij,jk->ik", (a, b)), ("ij,jk", (a, b)), ("ij->ji", (a,)), ("ij->", (a,)),
                                 ("ij,jk->", (a, b)), ("ij,kj->ik", (a, a))]:
        expected = np.einsum(subscripts, *operands)
        np.testing.assert_allclose(ag.einsum(subscripts, *map(Tensor, operands)).numpy(), expected)
    with pytest.raises(ValueError, match="ellipses"):
        ag.einsum("...i->i", Tensor(a))
    with pytest.raises(ValueError, match="repeats an index"):
        ag.einsum("ii->i", Tensor(np.eye(2)))
    with pytest.raises(ValueError, match="names 2 operand"):
        ag.einsum("ij,jk->ik", Tensor(a))
    with pytest.raises(ValueError, match="index 'j' has size 3"):
        ag.einsum("ij,jk->ik", Tensor(a), Tensor(a))
    with pytest.raises(ValueError, match="output 'iz'"):
        ag.einsum("ij->iz", Tensor(a))


def test_special_functions_match_their_definitions():
    values = np.array([-2.5, -0.3, 0.0, 1e-9, 0.7, 3.0])
    np.testing.assert_allclose(ag.erf(Tensor(values)).numpy(), [math.erf(v) for v in values], rtol=1e-14)
    np.testing.assert_allclose(ag.log1p(Tensor(values[3:])).numpy(), np.log1p(values[3:]))
    assert ag.expm1(Tensor(1e-12)).item() == pytest.approx(1e-12, rel=1e-9)
    np.testing.assert_allclose(ag.exp2(Tensor(values)).numpy(), 2.0 ** values)
    np.testing.assert_array_equal(ag.round(Tensor(np.array([0.5, 1.5, 2.5, -0.5]))).numpy(), [0.0, 2.0, 2.0, -0.0])
    np.testing.assert_array_equal(ag.floor(Tensor(values)).numpy(), np.floor(values))
    np.testing.assert_array_equal(ag.ceil(Tensor(values)).numpy(), np.ceil(values))
    assert ag.erf(Tensor(np.array([0.5], dtype=np.float32))).dtype == np.float32


def test_rounding_passes_zero_gradient_and_stays_in_the_graph():
    x = leaf([0.4, 1.6])
    y = ag.floor(x) + ag.ceil(x) + ag.round(x)
    assert y.requires_grad
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 0.0])


def test_activations_match_their_formulas_and_are_stable():
    v = np.array([-1000.0, -3.0, -0.5, 0.0, 0.5, 3.0, 1000.0])
    x = Tensor(v)
    phi = np.array([0.5 * (1 + math.erf(value / math.sqrt(2))) for value in v])
    np.testing.assert_allclose(ag.gelu(x).numpy(), v * phi)
    tanh_form = 0.5 * v * (1 + np.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3)))
    np.testing.assert_allclose(ag.gelu(x, approximate="tanh").numpy(), tanh_form)
    np.testing.assert_allclose(ag.softplus(x).numpy(), np.logaddexp(0.0, v))
    np.testing.assert_allclose(ag.silu(x).numpy()[1:-1], v[1:-1] / (1 + np.exp(-v[1:-1])))
    np.testing.assert_allclose(ag.elu(x, alpha=0.5).numpy(), np.where(v > 0, v, 0.5 * np.expm1(np.minimum(v, 0))))
    selu_negative = 1.0507009873554805 * 1.6732632423543772 * np.expm1(-3.0)
    assert ag.selu(Tensor(-3.0)).item() == pytest.approx(selu_negative)
    for function in (ag.softplus, ag.elu, ag.selu, ag.gelu, ag.silu):
        t = Tensor(v, requires_grad=True)
        function(t).sum().backward()
        assert np.all(np.isfinite(t.grad.numpy())), function.__name__
    with pytest.raises(ValueError, match="approximate must be one of"):
        ag.gelu(x, approximate="sigmoid")
    with pytest.raises(ValueError, match="beta must be positive"):
        ag.softplus(x, beta=0)


def test_any_and_all_with_an_axis():
    mask = Tensor(np.array([[True, False], [False, False]]))
    assert mask.any() is True and mask.all() is False
    np.testing.assert_array_equal(mask.any(axis=1).numpy(), [True, False])
    np.testing.assert_array_equal(ag.all(mask, dim=0).numpy(), [False, False])
    assert ag.any(mask, axis=0, keepdims=True).shape == (1, 2)


# --- grad modes ---------------------------------------------------------------------------------------
def test_set_grad_enabled_as_a_call_and_as_a_context():
    x = leaf([1.0])
    with ag.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    assert (x * 2).requires_grad
    ag.set_grad_enabled(False)
    try:
        assert not ag.is_grad_enabled()
        with ag.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not ag.is_grad_enabled()
    finally:
        ag.set_grad_enabled(True)
    with pytest.raises(TypeError, match="True or False"):
        ag.set_grad_enabled("no")


def test_inference_mode_records_nothing():
    x = leaf([1.0])
    with ag.inference_mode():
        assert not (x * 2).requires_grad
    with ag.inference_mode(False):
        assert (x * 2).requires_grad

    @ag.inference_mode()
    def evaluate(t):
        return t * 2

    assert not evaluate(x).requires_grad and ag.is_grad_enabled()


# --- where NumPy and PyTorch clash ----------------------------------------------------------------------
def test_size_is_an_int_and_calling_it_names_shape():
    x = Tensor(np.zeros((2, 3)))
    assert x.size == 6 and isinstance(x.size, int)
    with pytest.raises(TypeError, match=r"use \.shape"):
        x.size()
    with pytest.raises(TypeError, match=r"use \.shape"):
        x.size(0)


def test_float_and_double_convert_and_keep_the_graph():
    x = leaf([1.5, 2.5])
    assert x.float().dtype == np.float32 and x.double().dtype == np.float64
    x.float().sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_array_equal(x.grad.numpy(), [1.0, 1.0])


def test_numpy_asarray_gives_the_float_array():
    x = leaf([[1.0, 2.0]])
    array = np.asarray(x)
    assert array.dtype == np.float64 and array.shape == (1, 2)
    np.testing.assert_array_equal(array, [[1.0, 2.0]])
    assert np.asarray(x, dtype=np.float32).dtype == np.float32
    assert np.array(x) is not x.data  # np.array copies, as for any array
    np.testing.assert_allclose(x, [[1.0, 2.0]])  # NumPy's testing helpers accept tensors now


def test_format_of_a_one_element_tensor():
    loss = Tensor(np.array(0.123456))
    assert f"{loss:.3f}" == "0.123"
    assert f"{Tensor(np.array([2.5])):.1f}" == "2.5"
    assert f"{loss}" == repr(loss)
    with pytest.raises(TypeError, match="needs a one-element tensor"):
        f"{Tensor(np.zeros(3)):.3f}"


# --- on the GPU (skipped without CuPy and a CUDA device; tests/run_gpu_suite.sh runs them) ---------------
@pytest.mark.gpu
def test_creation_on_the_gpu_and_its_seeded_generator():
    assert ag.zeros(2, 3, device="cuda").device == "cuda:0"
    assert ag.eye(2, device="cuda", dtype=np.float32).dtype == np.float32
    ag.manual_seed(1)
    first = ag.randn(5, device="cuda").numpy()
    ag.manual_seed(1)
    np.testing.assert_array_equal(first, ag.randn(5, device="cuda").numpy())
    on_gpu = ag.rand(4, device="cuda", rng=np.random.default_rng(2))  # a NumPy Generator: same numbers as the CPU
    assert on_gpu.device == "cuda:0"
    np.testing.assert_array_equal(on_gpu.numpy(), ag.rand(4, rng=np.random.default_rng(2)).numpy())
    like = ag.randn_like(on_gpu)
    assert like.device == "cuda:0" and like.shape == (4,)


@pytest.mark.gpu
def test_numpy_asarray_of_a_gpu_tensor_names_numpy():
    with pytest.raises(TypeError, match=r"t\.numpy\(\)"):
        np.asarray(ag.ones(2, device="cuda"))


@pytest.mark.gpu
@pytest.mark.parametrize("function", [
    lambda a: ag.erf(a), lambda a: ag.gelu(a), lambda a: ag.gelu(a, approximate="tanh"), lambda a: ag.silu(a),
    lambda a: ag.softplus(a), lambda a: ag.elu(a), lambda a: a.cumsum(dim=1), lambda a: a.prod(axis=0),
    lambda a: a.std(dim=1), lambda a: a.flip(0), lambda a: a.tril(), lambda a: ag.einsum("ij,kj->ik", a, a),
    lambda a: a.gather(1, np.array([[0, 0, 2], [1, 2, 1], [2, 2, 2]])), lambda a: ag.log1p(a * a),
], ids=["erf", "gelu", "gelu tanh", "silu", "softplus", "elu", "cumsum", "prod", "std", "flip", "tril", "einsum",
        "gather", "log1p"])
def test_new_operations_on_the_gpu_match_the_cpu(function):
    values = np.random.default_rng(3).standard_normal((3, 3))
    results = []
    for device in ("cpu", "cuda"):
        x = Tensor(values, requires_grad=True, device=device)
        out = function(x)
        out.sum().backward()
        assert out.device == x.grad.device == x.device
        results.append((out.numpy(), x.grad.numpy()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-10, atol=1e-12)


def test_edge_cases_zero_dimensional_and_empty():
    scalar = leaf(2.0)
    assert ag.cumsum(scalar).shape == (1,) and ag.gather(scalar, 0, np.array(0)).item() == 2.0
    with pytest.raises(ValueError, match="takes only the index 0"):
        ag.gather(scalar, 0, np.array(1))
    ag.cumsum(scalar).sum().backward()
    assert scalar.grad.item() == 1.0
    assert ag.prod(Tensor(np.zeros(0))).item() == 1.0  # the empty product, as NumPy's
    with pytest.raises(TypeError, match="operand 1 must be a tensor or an array"):
        ag.einsum("i,i->", Tensor(np.ones(2)), 2.0)
    with pytest.raises(ValueError, match="a copy is needed"):
        np.asarray(Tensor(np.ones(2)), dtype=np.float32, copy=False)
    assert np.asarray(Tensor(np.ones(2)), dtype=np.float32).dtype == np.float32
