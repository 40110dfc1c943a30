"""Golden fixtures for NN optimizers (SGD, Adam) and the cosine learning-rate schedule.

No model is needed: each case starts from fixed parameters, sets p.grad directly to a
recorded gradient before every step (None on some steps, to exercise skipped
parameters and torch's per-parameter step counts), and records every parameter after
every step plus the optimizer state at the end. Uses the single-tensor
(foreach=False) implementations, whose arithmetic order the Swift code follows.

Keys: <case>.init.<param>, <case>.step<k>.grad.<param> (absent = no grad),
<case>.step<k>.param.<param>, <case>.lr (learning rate used at step k),
<case>.final.<state>.<param>; cosine.<case>.lr_hi / lr_lo (the float64 learning rate
split into two float32 parts, lr = hi + lo, so doubles survive a float32 fixture).

The hyperparameters are repeated in Tests/NNTests/{SGD,Adam}Tests.swift; keep in sync.
"""
import math

import torch

from common import randn, save, seeded

STEPS = 10
SHAPES = {
    "layer1.0.conv1.weight": (4, 2, 3, 3),
    "fc.bias": (5,),
    "embedding.weight": (3, 7),
}
# Steps at which embedding.weight gets no gradient (torch skips it, including its step count).
NO_GRAD = {"embedding.weight": {0, 4, 5}}


def float32_exact(value: float) -> float:
    """A double that float32 represents exactly, so both sides use the same learning rate."""
    return float(torch.tensor(value, dtype=torch.float32).item())


def run_case(name, make_optimizer, seed, learning_rates, tensors, state_names):
    generator = seeded(seed)
    params = {key: torch.nn.Parameter(randn(*shape, generator=generator)) for key, shape in SHAPES.items()}
    for key, p in params.items():
        tensors[f"{name}.init.{key}"] = p.detach().clone()
    optimizer = make_optimizer(list(params.values()))
    tensors[f"{name}.lr"] = torch.tensor(learning_rates)
    for step in range(STEPS):
        optimizer.param_groups[0]["lr"] = learning_rates[step]
        for key, p in params.items():
            if step in NO_GRAD.get(key, set()):
                p.grad = None
            else:
                p.grad = randn(*p.shape, generator=generator)
                tensors[f"{name}.step{step}.grad.{key}"] = p.grad.clone()
        optimizer.step()
        for key, p in params.items():
            tensors[f"{name}.step{step}.param.{key}"] = p.detach().clone()
    for key, p in params.items():
        state = optimizer.state[p]
        for state_name in state_names:
            value = state[state_name]
            tensors[f"{name}.final.{state_name}.{key}"] = value.reshape(-1) if value.dim() == 0 else value


def cosine_case(name, base, eta_min, t_max, count, tensors):
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=base)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=t_max, eta_min=eta_min)
    rates = [optimizer.param_groups[0]["lr"]]
    for _ in range(count):
        optimizer.step()
        scheduler.step()
        rates.append(optimizer.param_groups[0]["lr"])
    hi = torch.tensor(rates, dtype=torch.float64).to(torch.float32)
    lo = (torch.tensor(rates, dtype=torch.float64) - hi.to(torch.float64)).to(torch.float32)
    tensors[f"cosine.{name}.lr_hi"] = hi
    tensors[f"cosine.{name}.lr_lo"] = lo


def main():
    tensors = {}
    constant = [float32_exact(0.1)] * STEPS
    decaying = [float32_exact(0.2 * (1 + math.cos(math.pi * k / STEPS)) / 2 + 0.01) for k in range(STEPS)]
    sgd = lambda **options: (lambda ps: torch.optim.SGD(ps, foreach=False, **options))
    adam = lambda **options: (lambda ps: torch.optim.Adam(ps, foreach=False, **options))
    run_case("sgd_plain", sgd(lr=0.1), 1, constant, tensors, [])
    run_case("sgd_momentum", sgd(lr=0.2, momentum=0.9, weight_decay=1e-4), 2, decaying, tensors,
             ["momentum_buffer"])
    run_case("sgd_nesterov", sgd(lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=True), 3, constant,
             tensors, ["momentum_buffer"])
    run_case("sgd_dampening", sgd(lr=0.1, momentum=0.8, dampening=0.3), 4, constant, tensors,
             ["momentum_buffer"])
    run_case("adam_default", adam(lr=1e-3), 5, [float32_exact(1e-3)] * STEPS, tensors, ["exp_avg", "exp_avg_sq", "step"])
    run_case("adam_gan", adam(lr=4e-3, betas=(0.5, 0.999), weight_decay=1e-4), 6,
             [float32_exact(r / 20) for r in decaying], tensors, ["exp_avg", "exp_avg_sq", "step"])
    cosine_case("long", 0.2, 2e-4, 100, 130, tensors)
    cosine_case("short", 4e-3, 0.0, 10, 10, tensors)
    save("optimizers", tensors)


if __name__ == "__main__":
    main()
