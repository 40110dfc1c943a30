"""Shared helpers for the PyTorch golden-fixture scripts.

Each script builds small, seeded inputs, runs the op in PyTorch 2.13 (CPU, float32),
and saves inputs, outputs and gradients to Tests/Fixtures/golden/<family>.safetensors
under keys "<case>.<tensor>", which the Swift tests load with GoldenFixture.load.
"""
import os
import pathlib

import torch
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parents[2]
GOLDEN_DIR = ROOT / "Tests" / "Fixtures" / "golden"


def seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def randn(*shape, generator, scale=1.0):
    return (torch.randn(*shape, generator=generator) * scale).float()


def save(family: str, tensors: dict) -> None:
    """Writes <family>.safetensors; every value becomes a contiguous float32 tensor."""
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    prepared = {name: t.detach().to(torch.float32).contiguous() for name, t in tensors.items()}
    path = GOLDEN_DIR / f"{family}.safetensors"
    save_file(prepared, str(path), metadata={"generator": "scripts/golden", "torch": torch.__version__})
    size = os.path.getsize(path)
    print(f"wrote {path.relative_to(ROOT)} ({len(prepared)} tensors, {size} bytes)")
