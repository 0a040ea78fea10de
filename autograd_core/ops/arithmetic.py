"""Arithmetic: + - * / ** and negation, with their local derivatives (Table 3.1).

Each class is one row of the table: ``forward`` on arrays, ``backward``
returning d(out)/d(input) applied to the incoming gradient, one entry per
input. Broadcasting is undone by the engine, not here.
"""
import numpy

from ..function import Function


class Add(Function):
    """out = a + b; d out/d a = d out/d b = 1."""

    differentiable_backward = True
    broadcasts = True

    def forward(ctx, a, b):
        return a + b

    def backward(ctx, grad_output):
        return grad_output, grad_output


class Sub(Function):
    """out = a - b; d out/d a = 1, d out/d b = -1."""

    differentiable_backward = True
    broadcasts = True

    def forward(ctx, a, b):
        return a - b

    def backward(ctx, grad_output):
        return grad_output, -grad_output if ctx.needs_input_grad[1] else None


class Mul(Function):
    """out = a * b; d out/d a = b, d out/d b = a."""

    differentiable_backward = True
    broadcasts = True

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        return (grad_output * b if need_a else None, grad_output * a if need_b else None)


class Div(Function):
    """out = a / b; d out/d a = 1 / b, d out/d b = -a / b^2."""

    differentiable_backward = True
    broadcasts = True

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        need_a, need_b = ctx.needs_input_grad
        grad_a = grad_output / b if need_a else None
        grad_b = -grad_output * a / (b * b) if need_b else None
        return grad_a, grad_b


class Neg(Function):
    """out = -a; d out/d a = -1."""

    differentiable_backward = True

    def forward(ctx, a):
        return -a

    def backward(ctx, grad_output):
        return (-grad_output,)


class Pow(Function):
    """out = a ** b; d out/d a = b a^(b-1), d out/d b = a^b log a.

    A negative base with an integer exponent is differentiated in ``a`` as
    usual. Where b = 0 the output is the constant 1, so d out/d a = 0 there,
    also at a = 0 (where b a^(b-1) would be 0 * inf). The derivative in ``b``
    is taken as 0 where the base is not positive (``log a`` is undefined there).
    """

    differentiable_backward = True
    broadcasts = True

    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a ** b

    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        F = ctx.F
        need_a, need_b = ctx.needs_input_grad
        grad_a = None
        if need_a:
            if isinstance(b, (int, float)):  # a constant exponent, the common case x ** 2
                grad_a = grad_output * b * a ** (b - 1) if b != 0 else grad_output * 0.0
            else:
                nonzero = b != 0
                with numpy.errstate(divide="ignore", invalid="ignore"):
                    grad_a = grad_output * F.where(nonzero, b * a ** F.where(nonzero, b - 1, 1.0), 0.0)
        grad_b = None
        if need_b:
            positive = a > 0
            safe_base = F.where(positive, a, 1.0)
            grad_b = grad_output * F.where(positive, safe_base ** b * F.log(safe_base), 0.0)
        return grad_a, grad_b


def add(a, b):
    return Add.apply(a, b)


def sub(a, b):
    return Sub.apply(a, b)


def mul(a, b):
    return Mul.apply(a, b)


def div(a, b):
    return Div.apply(a, b)


def neg(a):
    return Neg.apply(a)


def pow(a, b):
    return Pow.apply(a, b)
