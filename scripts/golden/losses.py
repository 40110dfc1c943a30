"""Golden fixtures for softmax, log-softmax and the softmax-based losses.

Keys: <case>.<tensor>. Labels, temperatures and masks are stored as float32 tensors.
The distillation, per-sample KL and masked adversarial losses are written in torch from
their definitions in shared/NAYER.md (the reference's KLDiv and adversarial term).
"""
import torch
import torch.nn.functional as F

from common import randn, save, seeded

out = {}
g = seeded(20240611)


def leaf(t):
    return t.detach().clone().requires_grad_(True)


def record(case, inputs, output, grad_output=None):
    """Backpropagates a fixed random upstream gradient and stores inputs, output, grads."""
    if grad_output is None:
        grad_output = torch.randn(output.shape, generator=g)
    output.backward(grad_output)
    out[f"{case}.output"] = output
    out[f"{case}.grad_output"] = grad_output
    for name, tensor in inputs.items():
        out[f"{case}.{name}"] = tensor
        if tensor.requires_grad:
            out[f"{case}.grad_{name}"] = tensor.grad


# softmax / log_softmax, plain, with a temperature, and with large logits (stability).
for case, scale, temperature in [("softmax", 2.0, 1.0), ("softmax_t4", 2.0, 4.0)]:
    x = leaf(randn(4, 5, generator=g, scale=scale))
    out[f"{case}.temperature"] = torch.tensor([temperature])
    record(case, {"logits": x}, F.softmax(x / temperature, dim=1))
for case, scale, temperature in [("log_softmax", 2.0, 1.0), ("log_softmax_t4", 2.0, 4.0),
                                 ("log_softmax_large", 60.0, 1.0)]:
    x = leaf(randn(4, 5, generator=g, scale=scale))
    out[f"{case}.temperature"] = torch.tensor([temperature])
    record(case, {"logits": x}, F.log_softmax(x / temperature, dim=1))

# Cross-entropy with hard labels and with probability targets (gradients to both).
x = leaf(randn(4, 5, generator=g, scale=2.0))
labels = torch.tensor([3, 0, 4, 1])
out["cross_entropy.labels"] = labels.float()
record("cross_entropy", {"logits": x}, F.cross_entropy(x, labels))

x = leaf(randn(4, 5, generator=g, scale=2.0))
p = leaf(F.softmax(randn(4, 5, generator=g), dim=1))
record("cross_entropy_soft", {"logits": x, "targets": p}, F.cross_entropy(x, p))

# kl_div batchmean: targets with zeros (input gradient only; torch's target gradient is
# NaN at 0), then strictly positive targets with gradients to both.
log_input = leaf(F.log_softmax(randn(4, 5, generator=g), dim=1))
target = F.softmax(randn(4, 5, generator=g), dim=1)
target[0, 2] = 0.0
target[3, 0] = 0.0
target = target / target.sum(dim=1, keepdim=True)
record("kl_div_zeros", {"log_input": log_input, "target": target},
       F.kl_div(log_input, target, reduction="batchmean"))

log_input = leaf(F.log_softmax(randn(4, 5, generator=g), dim=1))
target = leaf(F.softmax(randn(4, 5, generator=g), dim=1))
record("kl_div", {"log_input": log_input, "target": target},
       F.kl_div(log_input, target, reduction="batchmean"))


# Distillation KL (the reference's KLDiv), gradients to student and teacher.
def distillation(student, teacher, temperature):
    q = F.softmax(teacher / temperature, dim=1)
    return F.kl_div(F.log_softmax(student / temperature, dim=1), q, reduction="batchmean") * temperature ** 2


for case, temperature in [("distill_t20", 20.0), ("distill_t4", 4.0), ("distill_t1", 1.0)]:
    s = leaf(randn(6, 10, generator=g, scale=3.0))
    t = leaf(randn(6, 10, generator=g, scale=3.0))
    out[f"{case}.temperature"] = torch.tensor([temperature])
    record(case, {"student": s, "teacher": t}, distillation(s, t, temperature))


def per_sample_kl(teacher, student, temperature=1.0):
    log_q = F.log_softmax(teacher / temperature, dim=1)
    log_p = F.log_softmax(student / temperature, dim=1)
    return (log_q.exp() * (log_q - log_p)).sum(dim=1)


for case, temperature in [("per_sample_kl", 1.0), ("per_sample_kl_t4", 4.0)]:
    t = leaf(randn(4, 5, generator=g, scale=2.0))
    s = leaf(randn(4, 5, generator=g, scale=2.0))
    out[f"{case}.temperature"] = torch.tensor([temperature])
    record(case, {"teacher": t, "student": s}, per_sample_kl(t, s, temperature))

# Masked adversarial loss: student near the teacher so that some rows agree on argmax.
t = randn(8, 5, generator=g, scale=2.0)
s = leaf(t + randn(8, 5, generator=g, scale=1.5))
t = leaf(t)
mask = (s.argmax(dim=1) == t.argmax(dim=1)).float()
assert 0 < mask.sum() < 8, "the masked case should have rows of both kinds"
out["masked_adversarial.mask"] = mask
record("masked_adversarial", {"teacher": t, "student": s}, -(mask * per_sample_kl(t, s)).mean())

save("losses", out)
