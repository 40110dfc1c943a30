"""A safetensors file written by the `safetensors` package itself, in every dtype nayerd reads.

The Swift test checks that each tensor reads back exactly as the float32 values saved
alongside in `<name>.expected` form (computed here by PyTorch's own conversion).
"""
import torch
from safetensors.torch import save_file

from common import GOLDEN_DIR, ROOT, seeded

g = seeded(7)
base = torch.randn(3, 4, generator=g)
tensors = {
    "f32": base.clone(),
    "f16": base.to(torch.float16),
    "bf16": base.to(torch.bfloat16),
    "f64": base.to(torch.float64) * 1e3,
    "i64": torch.arange(-5, 7, dtype=torch.int64).reshape(3, 4) * 1000,
    "scalar": torch.tensor(2.5),
    "empty": torch.zeros(0, 3),
}
expected = {f"{name}.expected": t.to(torch.float32) for name, t in tensors.items()}
GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
save_file(tensors, str(GOLDEN_DIR / "safetensors_dtypes.safetensors"), metadata={"format": "pt", "note": "dtypes"})
save_file(expected, str(GOLDEN_DIR / "safetensors_dtypes_expected.safetensors"))
print("wrote safetensors_dtypes(.expected).safetensors")
