"""Matrix products: ``a @ b`` for 1-D, 2-D and batched operands (NumPy's matmul rules).

For out = A B, d L/d A = G B^T and d L/d B = A^T G (the linear row of Table 3.1);
batch axes that were broadcast are summed back by the engine.
"""
from ..function import Function


class MatMul(Function):
    """out = a @ b; grad_a = g @ b^T, grad_b = a^T @ g (with 1-D operands promoted as NumPy does)."""

    differentiable_backward = True

    def forward(ctx, a, b):
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError(f"matmul needs operands with at least one dimension, got shapes {a.shape} and {b.shape}")
        inner_a = a.shape[-1]
        inner_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
        if inner_a != inner_b:
            raise ValueError(f"matmul: shapes {a.shape} and {b.shape} do not align "
                             f"({inner_a} columns against {inner_b} rows)")
        ctx.save_for_backward(a, b)
        return ctx.xp.matmul(a, b)

    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        F = ctx.F
        need_a, need_b = ctx.needs_input_grad
        if a.ndim == 1 and b.ndim == 1:
            return (grad_output * b if need_a else None, grad_output * a if need_b else None)
        if a.ndim == 1:  # (k,) @ (..., k, m) -> (..., m)
            grad_a = F.matmul(b, grad_output[..., None])[..., 0] if need_a else None
            grad_b = a[:, None] * grad_output[..., None, :] if need_b else None
            return grad_a, grad_b
        if b.ndim == 1:  # (..., n, k) @ (k,) -> (..., n)
            grad_a = grad_output[..., None] * b if need_a else None
            grad_b = F.matmul(F.swapaxes(a, -1, -2), grad_output[..., None])[..., 0] if need_b else None
            return grad_a, grad_b
        grad_a = F.matmul(grad_output, F.swapaxes(b, -1, -2)) if need_a else None
        grad_b = F.matmul(F.swapaxes(a, -1, -2), grad_output) if need_b else None
        return grad_a, grad_b


def matmul(a, b):
    return MatMul.apply(a, b)
