"""Golden fixtures for conv2d: forward output and input/weight/bias gradients.

Cases mirror Tests/AutogradTests/Conv2dTests.swift. Each case stores its inputs, the
stride/padding/groups as one-element tensors, a fixed upstream gradient and torch's results.
"""
import torch
import torch.nn.functional as F

from common import randn, save, seeded

# name: (input shape, weight shape, bias, stride, padding, groups, weight frozen)
CASES = {
    "s1p1_bias": ((2, 3, 5, 4), (4, 3, 3, 3), True, 1, 1, 1, False),
    "s2p0_nonsquare_kernel": ((3, 2, 7, 6), (3, 2, 3, 2), False, 2, 0, 1, False),
    "s2p1_groups2": ((2, 4, 6, 5), (4, 2, 3, 3), True, 2, 1, 2, False),
    "pointwise": ((3, 4, 3, 3), (5, 4, 1, 1), True, 1, 0, 1, False),
    "single_large_image": ((1, 2, 20, 17), (3, 2, 3, 3), True, 1, 1, 1, False),
    "frozen_weight": ((2, 3, 6, 6), (4, 3, 3, 3), True, 1, 1, 1, True),
    "pointwise_large": ((1, 3, 20, 20), (2, 3, 1, 1), True, 1, 0, 1, False),
    "stride2_large": ((1, 1, 40, 38), (2, 1, 3, 3), True, 2, 1, 1, False),
    "winograd": ((2, 16, 5, 7), (16, 16, 3, 3), True, 1, 1, 1, False),
    "winograd_large": ((1, 16, 20, 20), (17, 16, 3, 3), False, 1, 1, 1, False),
    "wide_stride2": ((2, 16, 6, 6), (16, 16, 3, 3), True, 2, 1, 1, False),
    "winograd_4x4_tiles": ((2, 16, 8, 16), (16, 16, 3, 3), True, 1, 1, 1, False),
    "winograd_4x4_wide": ((1, 16, 4, 48), (20, 16, 3, 3), False, 1, 1, 1, False),
    "winograd_4x4_pairs": ((3, 16, 8, 8), (16, 16, 3, 3), True, 1, 1, 1, False),
    "stride2_direct": ((3, 5, 16, 32), (8, 5, 3, 3), True, 2, 1, 1, False),
    "stride2_direct_narrow": ((2, 4, 16, 16), (4, 4, 3, 3), False, 2, 1, 1, False),
}


def main() -> None:
    tensors = {}
    generator = seeded(20261204)
    for name, (input_shape, weight_shape, has_bias, stride, padding, groups, frozen) in CASES.items():
        x = randn(*input_shape, generator=generator).requires_grad_(True)
        w = randn(*weight_shape, generator=generator, scale=0.5).requires_grad_(not frozen)
        b = randn(weight_shape[0], generator=generator).requires_grad_(True) if has_bias else None
        y = F.conv2d(x, w, b, stride=stride, padding=padding, groups=groups)
        grad_output = randn(*y.shape, generator=generator)
        y.backward(grad_output)
        tensors[f"{name}.input"] = x
        tensors[f"{name}.weight"] = w
        tensors[f"{name}.options"] = torch.tensor([stride, padding, groups, float(frozen)])
        tensors[f"{name}.output"] = y
        tensors[f"{name}.grad_output"] = grad_output
        tensors[f"{name}.grad_input"] = x.grad
        if not frozen:
            tensors[f"{name}.grad_weight"] = w.grad
        if b is not None:
            tensors[f"{name}.bias"] = b
            tensors[f"{name}.grad_bias"] = b.grad
    save("conv", tensors)


if __name__ == "__main__":
    main()
