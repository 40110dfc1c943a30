"""Golden fixtures for layer norm over the last axis."""
import torch.nn.functional as F

from common import randn, save, seeded

g = seeded(31)
tensors = {}


def case(name, shape, affine):
    width = shape[-1]
    x = (randn(*shape, generator=g) * 2 + 0.5).requires_grad_(True)
    w = (randn(width, generator=g) * 0.5 + 1).requires_grad_(True) if affine else None
    b = randn(width, generator=g).requires_grad_(True) if affine else None
    y = F.layer_norm(x, [width], w, b, eps=1e-5)
    grad_output = randn(*shape, generator=g)
    y.backward(grad_output)
    tensors.update({f"{name}.x": x, f"{name}.y": y, f"{name}.grad_output": grad_output, f"{name}.grad_x": x.grad})
    if affine:
        tensors.update({f"{name}.weight": w, f"{name}.bias": b,
                        f"{name}.grad_weight": w.grad, f"{name}.grad_bias": b.grad})


case("affine", (4, 6), True)
case("plain", (2, 3, 5), False)
save("layernorm", tensors)
