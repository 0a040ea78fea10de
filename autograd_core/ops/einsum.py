"""Einstein summation, ``einsum("ij,jk->ik", A, B)``, with one vector-Jacobian product per operand.

Each operand's gradient is itself an einsum: the output's gradient contracted
with the other operands, written to the operand's own subscripts (for
out = A B, "ik,jk->ij" gives G B^T, the linear row of Table 3.1). An index
that appears in one operand only is summed over in the forward pass; its
gradient is constant along that axis and is broadcast back.
"""
import string

from ..function import Function

LETTERS = frozenset(string.ascii_letters)


class Einsum(Function):
    """out = einsum(subscripts, *operands); grad_i = einsum("out,others->operand_i", g, *others)."""

    differentiable_backward = True

    def forward(ctx, *operands, subscripts):
        inputs, output = parse_subscripts(subscripts, operands)
        ctx.input_subscripts, ctx.output_subscript = inputs, output
        ctx.save_for_backward(*operands)
        return ctx.xp.einsum(f"{','.join(inputs)}->{output}", *operands)

    def backward(ctx, grad_output):
        operands = ctx.saved_tensors
        F = ctx.F
        grads = []
        for index, needed in enumerate(ctx.needs_input_grad):
            if not needed:
                grads.append(None)
                continue
            others = [position for position in range(len(operands)) if position != index]
            target = ctx.input_subscripts[index]
            available = set(ctx.output_subscript).union(*(ctx.input_subscripts[p] for p in others))
            reachable = "".join(letter for letter in target if letter in available)
            formula = ",".join([ctx.output_subscript] + [ctx.input_subscripts[p] for p in others])
            grad = F.einsum(f"{formula}->{reachable}", grad_output, *(operands[p] for p in others))
            if reachable != target:  # indices summed inside this operand alone: constant along those axes
                kept_shape = tuple(size if letter in available else 1
                                   for letter, size in zip(target, operands[index].shape))
                grad = F.broadcast_to(grad.reshape(kept_shape), operands[index].shape)
            grads.append(grad)
        return tuple(grads)


def parse_subscripts(subscripts, operands):
    """The operands' subscripts and the output's, checked: ``"ij,jk"`` gives (["ij", "jk"], "ik").

    Without ``->`` the output is NumPy's implicit one: the letters used once,
    in alphabetical order. Ellipses and a letter repeated within one operand
    (a diagonal) are refused with an error, since their gradients are not built here.
    """
    if not isinstance(subscripts, str):
        raise TypeError(f"einsum: the first argument must be a subscripts string such as 'ij,jk->ik', "
                        f"got {type(subscripts).__name__}")
    text = subscripts.replace(" ", "")
    if "." in text:
        raise ValueError(f"einsum: ellipses ('...') are not supported, got {subscripts!r}; name every axis")
    if "->" in text:
        left, output = text.split("->", 1)
    else:
        left, output = text, None
    inputs = left.split(",")
    if len(inputs) != len(operands):
        raise ValueError(f"einsum: {subscripts!r} names {len(inputs)} operand(s) but {len(operands)} were given")
    for number, operand in enumerate(operands):
        if not hasattr(operand, "shape"):
            raise TypeError(f"einsum: operand {number} must be a tensor or an array, got {type(operand).__name__}")
    sizes = {}
    for number, (letters, operand) in enumerate(zip(inputs, operands)):
        if not set(letters) <= LETTERS:
            raise ValueError(f"einsum: subscripts must be letters, got {letters!r} in {subscripts!r}")
        if len(set(letters)) != len(letters):
            raise ValueError(f"einsum: operand {number} repeats an index in {letters!r} (a diagonal); "
                             "this is not supported, since its gradient is not built here")
        if len(letters) != operand.ndim:
            raise ValueError(f"einsum: operand {number} has shape {operand.shape} but subscripts {letters!r}")
        for letter, size in zip(letters, operand.shape):
            if sizes.setdefault(letter, size) != size:
                raise ValueError(f"einsum: index {letter!r} has size {sizes[letter]} in one operand and {size} in "
                                 f"another (operand {number}, shape {operand.shape})")
    if output is None:
        counts = {}
        for letters in inputs:
            for letter in letters:
                counts[letter] = counts.get(letter, 0) + 1
        output = "".join(sorted(letter for letter, count in counts.items() if count == 1))
    if not set(output) <= set(sizes) or len(set(output)) != len(output):
        raise ValueError(f"einsum: the output {output!r} of {subscripts!r} must use each input index at most once")
    return inputs, output


def einsum(subscripts, *operands):
    """Sum products of entries over the repeated indices: ``einsum("ij,jk->ik", A, B)`` is A @ B."""
    if not operands:
        raise ValueError("einsum needs at least one operand")
    return Einsum.apply(*operands, subscripts=subscripts)
