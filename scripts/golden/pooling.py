"""Golden fixtures for max / average / adaptive average pooling."""
import torch
import torch.nn.functional as F

from common import randn, save, seeded

g = seeded(41)
tensors = {}


def case(name, x, function):
    x = x.clone().requires_grad_(True)
    y = function(x)
    grad_output = randn(*y.shape, generator=g)
    y.backward(grad_output)
    tensors.update({f"{name}.x": x, f"{name}.y": y, f"{name}.grad_output": grad_output, f"{name}.grad_x": x.grad})


def distinct(*shape):
    count = 1
    for size in shape:
        count *= size
    return (torch.randperm(count, generator=g).float() * 0.1 - count * 0.05).reshape(shape)


case("max_k2", distinct(2, 3, 6, 6), lambda x: F.max_pool2d(x, 2))
case("max_k3_s2_p1", distinct(2, 2, 7, 7), lambda x: F.max_pool2d(x, 3, stride=2, padding=1))
# Integer values in 0...2: many ties, which PyTorch resolves to the first maximum.
case("max_ties", torch.randint(0, 3, (1, 2, 6, 6), generator=g).float(), lambda x: F.max_pool2d(x, 3, stride=1))
case("avg_k2", randn(2, 3, 6, 6, generator=g), lambda x: F.avg_pool2d(x, 2))
case("avg_k3_s2", randn(1, 2, 7, 7, generator=g), lambda x: F.avg_pool2d(x, 3, stride=2))
case("adaptive_8_1", randn(2, 2, 8, 8, generator=g), lambda x: F.adaptive_avg_pool2d(x, (1, 1)))
case("adaptive_7_1", randn(2, 2, 7, 7, generator=g), lambda x: F.adaptive_avg_pool2d(x, (1, 1)))
case("adaptive_5_2", randn(2, 2, 5, 5, generator=g), lambda x: F.adaptive_avg_pool2d(x, (2, 2)))
case("adaptive_7x5_3x2", randn(1, 3, 7, 5, generator=g), lambda x: F.adaptive_avg_pool2d(x, (3, 2)))
save("pooling", tensors)
