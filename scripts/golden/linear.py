"""Golden fixtures for linear and matmul (2-D, batched, transposed operands).

Cases mirror Tests/AutogradTests/LinearTests.swift: inputs, a fixed upstream gradient,
torch's output and the gradients of every input.
"""
import torch
import torch.nn.functional as F

from common import randn, save, seeded


def main() -> None:
    tensors = {}
    generator = seeded(20261205)

    # linear: input [..., in], weight [out, in], bias [out]
    for name, input_shape, out_features, has_bias in [
        ("linear_bias", (5, 7), 4, True),
        ("linear_no_bias", (3, 6), 8, False),
        ("linear_rank3", (2, 3, 5), 4, True),
    ]:
        x = randn(*input_shape, generator=generator).requires_grad_(True)
        w = randn(out_features, input_shape[-1], generator=generator, scale=0.5).requires_grad_(True)
        b = randn(out_features, generator=generator).requires_grad_(True) if has_bias else None
        y = F.linear(x, w, b)
        grad_output = randn(*y.shape, generator=generator)
        y.backward(grad_output)
        tensors.update({f"{name}.input": x, f"{name}.weight": w, f"{name}.output": y,
                        f"{name}.grad_output": grad_output, f"{name}.grad_input": x.grad,
                        f"{name}.grad_weight": w.grad})
        if b is not None:
            tensors.update({f"{name}.bias": b, f"{name}.grad_bias": b.grad})

    # matmul: stored a, b; op(x) = x^T (last two axes) when flagged
    for name, a_shape, b_shape, transpose_a, transpose_b in [
        ("matmul_2d", (4, 6), (6, 3), False, False),
        ("matmul_batched", (3, 4, 5), (3, 5, 2), False, False),
        ("matmul_batched_transpose_b", (2, 4, 5), (2, 3, 5), False, True),
        ("matmul_transpose_a", (6, 4), (6, 3), True, False),
        ("matmul_transpose_both", (2, 5, 4), (2, 3, 5), True, True),
    ]:
        a = randn(*a_shape, generator=generator).requires_grad_(True)
        b = randn(*b_shape, generator=generator).requires_grad_(True)
        left = a.transpose(-1, -2) if transpose_a else a
        right = b.transpose(-1, -2) if transpose_b else b
        y = torch.matmul(left, right)
        grad_output = randn(*y.shape, generator=generator)
        y.backward(grad_output)
        tensors.update({f"{name}.a": a, f"{name}.b": b, f"{name}.output": y,
                        f"{name}.grad_output": grad_output, f"{name}.grad_a": a.grad,
                        f"{name}.grad_b": b.grad,
                        f"{name}.options": torch.tensor([float(transpose_a), float(transpose_b)])})
    save("linear", tensors)


if __name__ == "__main__":
    main()
