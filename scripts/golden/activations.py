"""Golden values for relu, leaky relu, sigmoid, tanh and exact GELU (keys as in arithmetic.py)."""
import torch
import torch.nn.functional as F

from arithmetic import record
from common import randn, save, seeded

ACTIVATIONS = {
    "relu": F.relu,
    "leaky_relu_0_2": lambda x: F.leaky_relu(x, negative_slope=0.2),
    "leaky_relu_0_01": lambda x: F.leaky_relu(x, negative_slope=0.01),
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "gelu": F.gelu,
}


def main():
    generator = seeded(20240612)
    tensors = {}
    for name, op in ACTIVATIONS.items():
        x = randn(4, 3, 5, generator=generator, scale=2.0)
        flat = x.view(-1)
        flat[::9] = 0.0          # kinks: relu passes 0 there, leaky relu the slope
        flat[1] = 25.0           # saturation must not overflow
        flat[2] = -25.0
        record(tensors, name, op, {"x": x}, generator)
    save("activations", tensors)


if __name__ == "__main__":
    main()
