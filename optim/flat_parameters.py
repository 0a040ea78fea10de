"""All of a model's parameters as one flat vector W (Section 3.5.6).

The second-order methods of Section 3.5.6 see the loss as a function of a
single vector W of all the weights: the Hessian H is a matrix over W and a
search direction is a vector of W's length. ``FlatParameters`` reads the
parameters into such a vector, writes a vector back into them, gathers their
gradients into one, and takes Hessian-vector products and Hessians of the loss
by differentiating the gradient again (double backpropagation). Vectors live
in the parameters' own array module (NumPy or CuPy) and dtype.
"""
import autograd_core as ag
from autograd_core.backend import get_array_module


class FlatParameters:
    """A list of parameter Tensors viewed as one vector W of ``size`` entries."""

    def __init__(self, params):
        self.params = list(params)
        first = self.params[0]
        for index, param in enumerate(self.params):
            if param.dtype != first.dtype:
                raise TypeError(f"the parameters must share one dtype to form one vector W: parameter 0 is "
                                f"{first.dtype}, parameter {index} is {param.dtype}")
            if param.device != first.device:
                raise ValueError(f"the parameters must be on one device to form one vector W: parameter 0 is on "
                                 f"{first.device}, parameter {index} on {param.device}")
        self.xp = get_array_module(first.data)
        self.dtype = first.dtype
        self.shapes = [param.shape for param in self.params]
        self.sizes = [int(param.size) for param in self.params]
        self.size = sum(self.sizes)
        if self.size == 0:
            raise ValueError(f"the parameters have no entries (shapes {self.shapes}): W would be empty")

    def get(self):
        """W: a new flat array holding every parameter's values in order."""
        return self.xp.concatenate([param.data.reshape(-1) for param in self.params]).astype(self.dtype, copy=False)

    def set(self, vector):
        """Write the flat array ``vector`` back into the parameters (each gets a fresh array)."""
        offset = 0
        for param, shape, size in zip(self.params, self.shapes, self.sizes):
            param.data = vector[offset:offset + size].reshape(shape).copy()
            offset += size

    def gradient(self):
        """grad L(W) as a new flat array (zeros for parameters the loss does not reach)."""
        if all(param.grad is None for param in self.params):
            raise RuntimeError("no parameter has a gradient after the closure ran: the closure must call "
                               "loss.backward() before returning the loss")
        pieces = []
        for param in self.params:
            if param.grad is None:
                pieces.append(self.xp.zeros(param.size, dtype=self.dtype))
            else:
                pieces.append(param.grad.data.reshape(-1).astype(self.dtype, copy=False))
        return self.xp.concatenate(pieces)

    def gradient_graph(self):
        """The parameters' ``.grad`` Tensors if they carry a graph (``backward(create_graph=True)``), else None.

        A gradient without a graph beside others with one is constant: its rows of H are zero.
        """
        grads = [param.grad for param in self.params]
        if not any(grad is not None and grad.requires_grad for grad in grads):
            return None
        return grads

    def hessian_vector_product(self, grads, vector):
        """H v = d (grad L . v) / d W, exact, by one more backward pass through the gradient's graph."""
        directional = None
        for grad, piece in zip(grads, self.split(vector)):
            if grad is not None and grad.requires_grad:
                term = (grad * ag.Tensor(piece)).sum()
                directional = term if directional is None else directional + term
        products = ag.grad(directional, self.params, retain_graph=True, allow_unused=True)
        return self.join(products)

    def hessian(self, grads):
        """H, the d x d matrix of second derivatives, one row per entry of the gradient (as ``ag.hessian``)."""
        rows = []
        for grad, size in zip(grads, self.sizes):
            if grad is None or not grad.requires_grad:
                rows.extend(self.xp.zeros(self.size, dtype=self.dtype) for _ in range(size))
                continue
            flat_grad = grad.reshape(-1)
            for index in range(size):
                row = ag.grad(flat_grad[index], self.params, retain_graph=True, allow_unused=True)
                rows.append(self.join(row))
        return self.xp.stack(rows)

    def split(self, vector):
        """The flat array cut into one array per parameter, in each parameter's shape."""
        pieces, offset = [], 0
        for shape, size in zip(self.shapes, self.sizes):
            pieces.append(vector[offset:offset + size].reshape(shape))
            offset += size
        return pieces

    def join(self, tensors):
        """One flat array from per-parameter Tensors (None counts as zeros)."""
        pieces = []
        for tensor, size in zip(tensors, self.sizes):
            if tensor is None:
                pieces.append(self.xp.zeros(size, dtype=self.dtype))
            else:
                pieces.append(tensor.data.reshape(-1).astype(self.dtype, copy=False))
        return self.xp.concatenate(pieces)
