"""The engine, nn and optim through a second array module that is not NumPy (Section 3.7.1 without a GPU).

CuPy support can only run on a GPU, but what it needs of the code can be
checked on any machine: every array function must come from the array's own
module (``get_array_module``), never from a hard-coded ``numpy.``. Here a
NumPy-backed stand-in module plays CuPy's part. Its arrays are a distinct type
that refuses NumPy's functions (``numpy.exp(a)``), implicit conversion
(``numpy.asarray(a)``) and mixing with NumPy arrays (``a + numpy.ones(3)``),
as strictly as CuPy or more, so that any hard-coded NumPy call on data fails
here. It is registered with ``backend.register_array_module`` as the device
``"standin"``; the operation suite of the GPU tests then runs through it and
must give NumPy's values and gradients with every result still a stand-in array.
"""
import types

import numpy as np
import pytest
from test_gpu import GPU_CASES  # the operation suite, written over ``xp`` so its constants live on the device

import autograd_core as ag
from autograd_core import Tensor, backend, nn, optim


class StandinArray:
    """A NumPy array in disguise: a distinct type that NumPy's own functions refuse, as they refuse CuPy's."""

    __slots__ = ("_array",)
    __hash__ = None

    def __init__(self, array):
        self._array = array

    # NumPy's protocols: calling numpy's functions on a stand-in array is the error this module exists to find
    def __array__(self, *args, **kwargs):
        raise TypeError("implicit conversion of a stand-in array to a NumPy array: call .get() explicitly")

    def __array_function__(self, func, types, args, kwargs):
        raise TypeError(f"numpy.{func.__name__} called on a stand-in array: use the array's own module")

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        # ``numpy.float64(2) * a`` reaches here through the scalar's operator; CuPy accepts it, so do we
        others = [value for value in inputs if value is not self]
        if (method == "__call__" and ufunc.nin == 2 and not kwargs
                and all(isinstance(value, (np.generic, int, float, bool)) for value in others)):
            return _wrap(ufunc(*(_unwrap(value) for value in inputs)))
        raise TypeError(f"numpy.{ufunc.__name__} called on a stand-in array: use the array's own module")

    def get(self):
        """A NumPy copy, as CuPy's ``ndarray.get()``."""
        return self._array.copy()

    def __getattr__(self, name):
        if name.startswith("__"):  # no __array_interface__ or buffer: NumPy must not see through the disguise
            raise AttributeError(name)
        value = getattr(self._array, name)
        return _wrapped_callable(value) if callable(value) else _wrap(value)

    def __getitem__(self, index):
        return _wrap(self._array[_unwrap(index)])

    def __setitem__(self, index, value):
        self._array[_unwrap(index)] = _unwrap(value)

    def __len__(self):
        return len(self._array)

    def __iter__(self):
        return (_wrap(row) for row in self._array)

    def __bool__(self):
        return bool(self._array)

    def __float__(self):
        return float(self._array)

    def __int__(self):
        return int(self._array)

    def __index__(self):
        return self._array.__index__()

    def __repr__(self):
        return f"standin({self._array!r})"


def _unwrap(value):
    """The NumPy array inside a stand-in array; NumPy arrays themselves are refused (they are on another device)."""
    if isinstance(value, StandinArray):
        return value._array
    if isinstance(value, np.ndarray):
        raise TypeError(f"a NumPy array of shape {value.shape} mixed with stand-in arrays: move it with asarray")
    if isinstance(value, (tuple, list)):
        return type(value)(_unwrap(item) for item in value)
    return value


def _wrap(value):
    """NumPy arrays and NumPy scalars become stand-in arrays (CuPy returns 0-d arrays, never scalars)."""
    if isinstance(value, (np.ndarray, np.generic)):
        return StandinArray(np.asarray(value))
    if isinstance(value, tuple):
        return tuple(_wrap(item) for item in value)
    return value


def _wrapped_callable(function):
    def call(*args, **kwargs):
        return _wrap(function(*_unwrap(args), **{key: _unwrap(value) for key, value in kwargs.items()}))
    return call


def _operator(name, in_place=False):
    def method(self, other):
        if not isinstance(other, (StandinArray, np.ndarray, np.generic, int, float, bool)):
            return NotImplemented  # a Tensor on the right answers with its reflected operator
        result = getattr(self._array, name)(_unwrap(other))
        if result is NotImplemented:
            return result
        return self if in_place else _wrap(result)
    method.__name__ = name
    return method


for _name in ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow", "matmul", "and", "or", "xor",
              "lt", "le", "gt", "ge", "eq", "ne"):
    setattr(StandinArray, f"__{_name}__", _operator(f"__{_name}__"))
    if _name not in ("lt", "le", "gt", "ge", "eq", "ne"):
        setattr(StandinArray, f"__r{_name}__", _operator(f"__r{_name}__"))
        setattr(StandinArray, f"__i{_name}__", _operator(f"__i{_name}__", in_place=True))
for _name in ("neg", "pos", "abs", "invert"):
    setattr(StandinArray, f"__{_name}__", (lambda name: lambda self: _wrap(getattr(self._array, name)()))(
        f"__{_name}__"))


class _UfuncStandin:
    """A NumPy ufunc seen through the stand-in module, with its methods (``add.at``, ``maximum.reduce``)."""

    def __init__(self, ufunc):
        self._ufunc = ufunc
        self.__name__ = ufunc.__name__

    def __call__(self, *args, **kwargs):
        return _wrapped_callable(self._ufunc)(*args, **kwargs)

    def __getattr__(self, name):
        return _wrapped_callable(getattr(self._ufunc, name))


class _NamespaceStandin(types.ModuleType):
    """NumPy's namespace (or a submodule of it) with every function taking and giving stand-in arrays."""

    def __init__(self, name, numpy_namespace):
        super().__init__(name)
        self._numpy_namespace = numpy_namespace

    def __getattr__(self, name):
        value = getattr(self._numpy_namespace, name)
        if isinstance(value, types.ModuleType):
            return _NamespaceStandin(f"{self.__name__}.{name}", value)
        if isinstance(value, np.ufunc):
            return _UfuncStandin(value)
        if isinstance(value, type) or not callable(value):
            return value  # dtypes, numpy.generic, pi, inf, newaxis: shared with NumPy, as CuPy shares them
        return _wrapped_callable(value)


class _StandinModule(_NamespaceStandin):
    """The stand-in array module: NumPy's functions over stand-in arrays; ``asarray`` copies NumPy data in."""

    ndarray = StandinArray

    def asarray(self, value, dtype=None):
        if isinstance(value, StandinArray):
            return value if dtype is None or value.dtype == dtype else value.astype(dtype)
        return StandinArray(np.array(value, dtype=dtype))

    def array(self, value, dtype=None, copy=True):
        return StandinArray(np.array(_unwrap(value) if isinstance(value, StandinArray) else value, dtype=dtype))


standin = _StandinModule("standin", np)
DEVICE = "standin"


@pytest.fixture(autouse=True, scope="module")
def registered_standin():
    backend.register_array_module(StandinArray, standin, device=DEVICE)
    yield
    backend.unregister_array_module(StandinArray)


# --- the stand-in is strict: these are the failures a hard-coded numpy call would meet -------------------
def test_the_standin_refuses_numpy_functions_conversion_and_mixing():
    a = standin.asarray([1.0, 2.0])
    with pytest.raises(TypeError, match="numpy.exp called on a stand-in array"):
        np.exp(a)
    with pytest.raises(TypeError, match="numpy.sum called on a stand-in array"):
        np.sum(a)
    with pytest.raises(TypeError, match="implicit conversion"):
        np.asarray(a)
    with pytest.raises(TypeError, match="mixed with stand-in arrays"):
        a + np.ones(2)
    with pytest.raises(TypeError, match="called on a stand-in array"):
        np.ones(2) + a
    assert isinstance(standin.exp(a), StandinArray) and isinstance(a.sum(), StandinArray)
    np.testing.assert_array_equal((np.float64(2.0) * a + 1).get(), [3.0, 5.0])


def test_the_backend_sees_the_standin_as_its_own_module_and_device():
    array = standin.zeros(3)
    assert backend.get_array_module(array) is standin
    assert backend.device_of(array) == DEVICE
    x = Tensor(np.arange(3.0), device=DEVICE)
    assert isinstance(x.data, StandinArray) and x.device == DEVICE
    assert isinstance(x.numpy(), np.ndarray) and x.to("cpu").device == "cpu"
    with pytest.raises(ValueError, match="device must be a new name"):
        backend.register_array_module(StandinArray, standin, device="cuda:3")


def test_mixing_the_standin_with_numpy_data_is_an_error_naming_both_devices():
    with pytest.raises(RuntimeError, match="Add got inputs on different devices: cpu, standin"):
        Tensor(np.ones(3), requires_grad=True) + Tensor(np.ones(3), device=DEVICE)


# --- the operation suite --------------------------------------------------------------------------------
def _run(make, inputs, xp, device):
    leaves = [Tensor(np.array(value), requires_grad=True, device=device) for value in inputs]
    output = make(xp)(*leaves)
    direction = xp.asarray(np.random.default_rng(1).standard_normal(output.shape))
    return output, ag.grad(output, leaves, grad_outputs=direction)


@pytest.mark.parametrize("name, make, inputs", GPU_CASES, ids=[case[0] for case in GPU_CASES])
def test_operation_through_the_standin_matches_numpy(name, make, inputs):
    numpy_output, numpy_gradients = _run(make, inputs, np, "cpu")
    standin_output, standin_gradients = _run(make, inputs, standin, DEVICE)
    assert isinstance(standin_output.data, StandinArray)
    np.testing.assert_allclose(standin_output.numpy(), numpy_output.numpy(), rtol=1e-12, atol=1e-14)
    for numpy_gradient, standin_gradient in zip(numpy_gradients, standin_gradients):
        assert isinstance(standin_gradient.data, StandinArray)  # the gradient never left the device
        np.testing.assert_allclose(standin_gradient.numpy(), numpy_gradient.numpy(), rtol=1e-12, atol=1e-14)


def test_gradcheck_path_sum_and_second_derivatives_through_the_standin():
    rng = np.random.default_rng(5)
    x = Tensor(rng.standard_normal((2, 3)), requires_grad=True, device=DEVICE)
    W = Tensor(rng.standard_normal((3, 2)), requires_grad=True, device=DEVICE)
    assert ag.gradcheck(lambda a, b: ag.tanh(a @ b) * ag.sigmoid(a).sum(), [x, W])
    loss = (ag.tanh(x @ W) * 2.0).sum()
    by_paths = ag.grad(loss, [x, W], method="paths", retain_graph=True)
    by_dp = ag.grad(loss, [x, W])
    for path_sum, dp in zip(by_paths, by_dp):
        assert isinstance(dp.data, StandinArray)
        np.testing.assert_allclose(path_sum.numpy(), dp.numpy(), rtol=1e-10, atol=1e-12)
    t = np.array([0.3, -0.6])
    hessian = ag.hessian(lambda v: (ag.tanh(v) * v).sum(), Tensor(t, requires_grad=True, device=DEVICE))
    sech2 = 1 - np.tanh(t) ** 2
    np.testing.assert_allclose(hessian.numpy(), np.diag(2 * sech2 - 2 * t * np.tanh(t) * sech2), rtol=1e-12)


# --- nn and optim ---------------------------------------------------------------------------------------
OPTIMIZERS = {
    "SGD momentum nesterov": lambda params: optim.SGD(params, lr=0.1, momentum=0.9, nesterov="reformulated",
                                                      weight_decay=1e-3),
    "Adam": lambda params: optim.Adam(params, lr=0.01),
    "AdaGrad": lambda params: optim.AdaGrad(params, lr=0.1),
    "RMSProp": lambda params: optim.RMSProp(params, lr=0.01),
    "AdaDelta": lambda params: optim.AdaDelta(params),
    "DeltaBarDelta": lambda params: optim.DeltaBarDelta(params, lr=0.05),
}


def _train(device, make_optimizer, xp):
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((16, 5)), rng.integers(0, 3, size=16)
    model = nn.MLP([5, 8, 3], batch_norm="pre", rng=1).to(device)
    optimizer = make_optimizer(model.parameters())
    inputs, labels = Tensor(X, device=device), xp.asarray(y)
    for _ in range(3):
        optimizer.zero_grad()
        loss = nn.functional.cross_entropy(model(inputs), labels) + nn.functional.weight_penalty(model, l2=1e-3)
        loss.backward()
        optim.clip_grad_norm(model.parameters(), 1.0)
        optimizer.step()
    model.eval()
    return model, model(inputs)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_training_an_mlp_through_the_standin_matches_numpy(name):
    numpy_model, numpy_output = _train("cpu", OPTIMIZERS[name], np)
    standin_model, standin_output = _train(DEVICE, OPTIMIZERS[name], standin)
    assert isinstance(standin_output.data, StandinArray)
    assert all(isinstance(parameter.data, StandinArray) for parameter in standin_model.parameters())
    np.testing.assert_allclose(standin_output.numpy(), numpy_output.numpy(), rtol=1e-10, atol=1e-12)
    for key, value in numpy_model.state_dict().items():
        np.testing.assert_allclose(standin_model.state_dict()[key], value, rtol=1e-10, atol=1e-12, err_msg=key)


def test_lists_given_as_indices_and_targets_go_to_the_tensors_device():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, device=DEVICE)
    picked = x[:, [1, 1, 0]]
    assert isinstance(picked.data, StandinArray)
    picked.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1.0, 2.0, 0.0], [1.0, 2.0, 0.0]])
    loss = ag.cross_entropy(x, [2, 0])
    assert isinstance(loss.data, StandinArray)
    np.testing.assert_allclose(loss.item(), ag.cross_entropy(Tensor(np.arange(6.0).reshape(2, 3)), [2, 0]).item())


def test_a_weight_penalty_without_weight_matrices_is_a_zero_on_the_modules_device():
    layer_norm = nn.LayerNorm(3).to(DEVICE)
    penalty = nn.functional.weight_penalty(layer_norm, l2=0.1)
    assert penalty.item() == 0.0 and penalty.device == DEVICE
    assert (layer_norm(Tensor(np.ones((2, 3)), device=DEVICE)) + penalty).device == DEVICE


def test_drawing_a_graph_on_the_standin_shows_its_values():
    pytest.importorskip("graphviz", reason="drawing needs the graphviz package")
    w = Tensor(0.7, requires_grad=True, device=DEVICE, name="w")
    output = (w * w).sin() + Tensor(np.array([0.5, 1.5]), device=DEVICE)
    source = ag.draw(output, edge_labels=True).source
    assert "0.7" in source and "1.5" in source


def test_a_data_parallel_replica_on_the_standin_device_gives_the_cpu_replicas_step():
    """What a GPU replica of nn.parallel does (device="cuda"), checked in-process with the stand-in device."""
    from functools import partial

    from autograd_core.nn.parallel.replica import Replica

    model_fn, optimizer_fn = partial(nn.MLP, [4, 5, 3], rng=2), partial(optim.Adam, lr=0.01)
    state = model_fn().state_dict()
    rng = np.random.default_rng(6)
    X, y = rng.standard_normal((6, 4)), rng.integers(0, 3, size=6)
    replicas = [Replica(model_fn, optimizer_fn, ag.cross_entropy, state, device=device, compression="int8")
                for device in ("cpu", DEVICE)]
    for replica in replicas:
        message, loss, _, output = replica.gradient(X, y, 0.5, return_output=True)
        assert all(isinstance(item.values, np.ndarray) for item in message)  # sent as host arrays
        replica.apply(message)
    assert all(isinstance(parameter.data, StandinArray) for parameter in replicas[1].parameters)
    for name, value in replicas[0].state_dict().items():
        np.testing.assert_allclose(replicas[1].state_dict()[name], value, rtol=1e-12, atol=1e-14, err_msg=name)
