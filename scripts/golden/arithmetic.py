"""Golden values for broadcasting arithmetic, scalar arithmetic and unary math.

Keys: "<case>.<input>" for each input, "<case>.output", "<case>.grad_output" (a fixed
random upstream gradient) and "<case>.grad_<input>" (gradients after
output.backward(grad_output)). Also `record`, used by the other elementwise scripts.
"""
import torch

from common import randn, save, seeded


def record(tensors: dict, case: str, function, inputs: dict, generator) -> None:
    """Runs function(*inputs.values()) in float32, backpropagates a random upstream gradient and
    stores inputs, output and input gradients under "<case>."."""
    leaves = {name: value.clone().float().requires_grad_(True) for name, value in inputs.items()}
    output = function(*leaves.values())
    grad_output = torch.randn(tuple(output.shape), generator=generator)
    output.backward(grad_output)
    for name, leaf in leaves.items():
        tensors[f"{case}.{name}"] = leaf.detach().clone()
        tensors[f"{case}.grad_{name}"] = leaf.grad.clone()
    tensors[f"{case}.output"] = output.detach().clone()
    tensors[f"{case}.grad_output"] = grad_output.clone()


def away_from_zero(shape, generator):
    """Values with |v| in [0.5, 1.5): safe divisors and reciprocals."""
    raw = torch.rand(tuple(shape), generator=generator) + 0.5
    signs = torch.randint(0, 2, tuple(shape), generator=generator).float() * 2 - 1
    return raw * signs


def positive(shape, generator):
    return torch.rand(tuple(shape), generator=generator) * 2.5 + 0.5


BROADCAST_PAIRS = {
    "same": ([2, 3, 4, 5], [2, 3, 4, 5]),
    "channel4": ([2, 3, 4, 5], [1, 3, 1, 1]),
    "channel3": ([2, 3, 4, 5], [3, 1, 1]),
    "last": ([2, 3, 4, 5], [5]),
    "outer": ([4, 1], [1, 3]),
    "rank0": ([2, 3], []),
    "bias": ([4, 6], [6]),
    "reversed": ([3, 1, 1], [2, 3, 4, 5]),
}

BINARY = {
    "add": lambda a, b: a + b,
    "subtract": lambda a, b: a - b,
    "multiply": lambda a, b: a * b,
    "divide": lambda a, b: a / b,
}

SCALAR = {
    "add_scalar": lambda x: x + 2.5,
    "scalar_add": lambda x: 2.5 + x,
    "subtract_scalar": lambda x: x - 2.5,
    "scalar_subtract": lambda x: 2.5 - x,
    "multiply_scalar": lambda x: x * -1.5,
    "scalar_multiply": lambda x: -1.5 * x,
    "divide_scalar": lambda x: x / 4.0,
    "scalar_divide": lambda x: 3.0 / x,
    "negate": lambda x: -x,
}

UNARY = {
    "exp": (torch.exp, "normal"),
    "log": (torch.log, "positive"),
    "sqrt": (torch.sqrt, "positive"),
    "abs": (torch.abs, "with_zero"),
    "pow2": (lambda x: torch.pow(x, 2.0), "normal"),
    "pow3": (lambda x: torch.pow(x, 3.0), "normal"),
    "pow_half": (lambda x: torch.pow(x, 0.5), "positive"),
    "pow_minus1": (lambda x: torch.pow(x, -1.0), "away"),
    "pow_1_7": (lambda x: torch.pow(x, 1.7), "positive"),
    "pow0": (lambda x: torch.pow(x, 0.0), "normal"),
    "clamp_both": (lambda x: torch.clamp(x, min=-0.5, max=0.5), "with_bounds"),
    "clamp_min": (lambda x: torch.clamp(x, min=-0.5), "with_bounds"),
    "clamp_max": (lambda x: torch.clamp(x, max=0.5), "with_bounds"),
}


def unary_input(kind, generator):
    shape = (3, 4, 5)
    if kind == "positive":
        return positive(shape, generator)
    if kind == "away":
        return away_from_zero(shape, generator)
    values = randn(*shape, generator=generator)
    flat = values.view(-1)
    if kind == "with_zero":
        flat[::7] = 0.0
    if kind == "with_bounds":
        # Exact bound values: PyTorch passes the gradient there.
        flat[::6] = 0.5
        flat[3::6] = -0.5
    return values


def main():
    generator = seeded(20240611)
    tensors = {}
    for op_name, op in BINARY.items():
        for pair_name, (shape_a, shape_b) in BROADCAST_PAIRS.items():
            a = torch.randn(tuple(shape_a), generator=generator)
            b = away_from_zero(shape_b, generator) if op_name == "divide" else torch.randn(tuple(shape_b), generator=generator)
            record(tensors, f"{op_name}_{pair_name}", op, {"a": a, "b": b}, generator)
    for name, op in SCALAR.items():
        x = away_from_zero([3, 4], generator)
        record(tensors, name, op, {"x": x}, generator)
    for name, (op, kind) in UNARY.items():
        record(tensors, name, op, {"x": unary_input(kind, generator)}, generator)
    save("arithmetic", tensors)


if __name__ == "__main__":
    main()
