"""Golden fixtures for sum / mean / variance over axes, full reductions and the L2 norm."""
import torch

from common import randn, save, seeded

g = seeded(21)
tensors = {}
x0 = randn(3, 4, 5, generator=g) + 0.7
tensors["input"] = x0


def case(name, function):
    x = x0.clone().requires_grad_(True)
    y = function(x)
    grad_output = torch.randn(y.shape, generator=g)
    y.backward(grad_output)
    tensors.update({f"{name}.y": y, f"{name}.grad_output": grad_output, f"{name}.grad_x": x.grad})


case("sum_1", lambda x: x.sum(dim=[1]))
case("sum_0_2_keep", lambda x: x.sum(dim=[0, 2], keepdim=True))
case("sum_neg1_0", lambda x: x.sum(dim=[-1, 0]))
case("mean_neg1", lambda x: x.mean(dim=[-1]))
case("mean_0_1_keep", lambda x: x.mean(dim=[0, 1], keepdim=True))
case("var_1_unbiased", lambda x: x.var(dim=[1], unbiased=True))
case("var_0_2_biased_keep", lambda x: x.var(dim=[0, 2], unbiased=False, keepdim=True))
case("var_all_unbiased", lambda x: x.var(dim=[0, 1, 2], unbiased=True))
case("sum_all", lambda x: x.sum())
case("mean_all", lambda x: x.mean())
case("norm", lambda x: torch.norm(x, 2))

save("reduction", tensors)
