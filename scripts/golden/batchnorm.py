"""Golden fixtures for batch norm and the per-channel statistics op (NAYER's BN loss)."""
import torch
import torch.nn.functional as F

from common import randn, save, seeded

g = seeded(11)
tensors = {}


def leaf(t):
    return t.clone().requires_grad_(True)


def train_twice(case, shape, momentum):
    """Two train-mode calls updating the same running statistics; gradients of the second."""
    channels = shape[1]
    x1 = randn(*shape, generator=g, scale=2.0) + 0.5
    x2 = randn(*shape, generator=g, scale=1.5) - 0.3
    weight = randn(channels, generator=g) * 0.5 + 1.0
    bias = randn(channels, generator=g)
    running_mean = randn(channels, generator=g)
    running_var = torch.rand(channels, generator=g) + 0.5
    tensors.update({f"{case}.x1": x1, f"{case}.x2": x2, f"{case}.weight": weight, f"{case}.bias": bias,
                    f"{case}.running_mean0": running_mean, f"{case}.running_var0": running_var})
    rm, rv = running_mean.clone(), running_var.clone()
    w, b = leaf(weight), leaf(bias)
    y1 = F.batch_norm(x1, rm, rv, w, b, training=True, momentum=momentum)
    x = leaf(x2)
    y2 = F.batch_norm(x, rm, rv, w, b, training=True, momentum=momentum)
    grad_output = randn(*shape, generator=g)
    y2.backward(grad_output)
    tensors.update({f"{case}.y1": y1, f"{case}.y2": y2, f"{case}.grad_output": grad_output,
                    f"{case}.grad_x": x.grad, f"{case}.grad_weight": w.grad, f"{case}.grad_bias": b.grad,
                    f"{case}.running_mean": rm, f"{case}.running_var": rv})


def eval_mode(case, shape):
    channels = shape[1]
    x = leaf(randn(*shape, generator=g))
    w = leaf(randn(channels, generator=g) * 0.5 + 1.0)
    b = leaf(randn(channels, generator=g))
    rm = randn(channels, generator=g) * 0.3
    rv = torch.rand(channels, generator=g) + 0.5
    y = F.batch_norm(x, rm, rv, w, b, training=False)
    grad_output = randn(*shape, generator=g)
    y.backward(grad_output)
    tensors.update({f"{case}.x": x, f"{case}.weight": w, f"{case}.bias": b, f"{case}.running_mean": rm,
                    f"{case}.running_var": rv, f"{case}.y": y, f"{case}.grad_output": grad_output,
                    f"{case}.grad_x": x.grad, f"{case}.grad_weight": w.grad, f"{case}.grad_bias": b.grad})


train_twice("train2d", (4, 3, 5, 5), 0.1)
train_twice("train1d", (6, 4), 0.3)

# Without affine parameters or running statistics: batch statistics only.
x = leaf(randn(3, 2, 4, 4, generator=g) * 3 + 1)
y = F.batch_norm(x, None, None, None, None, training=True)
grad_output = randn(3, 2, 4, 4, generator=g)
y.backward(grad_output)
tensors.update({"plain.x": x, "plain.y": y, "plain.grad_output": grad_output, "plain.grad_x": x.grad})

eval_mode("eval2d", (2, 3, 4, 4))
eval_mode("eval1d", (5, 4))

# NAYER's BN loss: ||var_b - running_var||_2 + ||mean_b - running_mean||_2 with batch
# statistics of the BN input (biased variance); the gradient flows to the input.
x = leaf(randn(4, 3, 3, 3, generator=g) + 0.2)
target_mean = randn(3, generator=g) * 0.5
target_var = torch.rand(3, generator=g) + 0.5
mean = x.mean(dim=(0, 2, 3))
var = x.var(dim=(0, 2, 3), unbiased=False)
loss = torch.norm(var - target_var, 2) + torch.norm(mean - target_mean, 2)
loss.backward()
tensors.update({"stats.x": x, "stats.target_mean": target_mean, "stats.target_var": target_var,
                "stats.mean": mean, "stats.var": var, "stats.loss": loss, "stats.grad_x": x.grad})

save("batchnorm", tensors)
