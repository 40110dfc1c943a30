"""Golden fixtures for the model zoo (architectures + NAYER generator).

Run: /work/main/.venv/bin/python scripts/golden/models.py

Writes Tests/Fixtures/models/<case>.safetensors. Every model is filled with the
formula weights of docs/model-zoo.md (so no weights are stored) and run on a seeded
input in eval mode (`logits_eval`) and, from a fresh copy, in train mode with batch
statistics (`logits_train`, plus the updated running statistics of the first
BatchNorm in sorted key order). The metadata carries the state_dict key set with
shapes, so the Swift models can be checked for exact key compatibility.
"""
import json
import os
import pathlib
import struct
import sys
import zlib

import torch

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from golden.common import ROOT, seeded  # noqa: E402
import torch_models  # noqa: E402
from torch_models.formula import entry_kind  # noqa: E402

MODELS_DIR = ROOT / "Tests" / "Fixtures" / "models"
MAX_BYTES = 200 * 1024

CASES = [(name, name, 3, 32) for name in torch_models.MODELS] + [
    ("lenet5_gray", "lenet5", 1, 32),
    ("resnet20_in1_28", "resnet20", 1, 28),
]


def key_shapes(model):
    state = model.state_dict()
    return {key: list(state[key].shape) for key in sorted(state)}


def write_safetensors(path, tensors, metadata):
    """Writes float32 tensors with a sorted header, so regenerating gives identical bytes
    (safetensors' own writer orders the metadata differently on every run)."""
    header = {"__metadata__": metadata}
    payload = bytearray()
    for name in sorted(tensors):
        data = tensors[name].detach().to(torch.float32).contiguous().numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape),
                        "data_offsets": [len(payload), len(payload) + len(data)]}
        payload += data
    encoded = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    encoded += b" " * (-len(encoded) % 8)
    path.write_bytes(struct.pack("<Q", len(encoded)) + encoded + payload)


def save(case, tensors, metadata):
    MODELS_DIR.mkdir(parents=True, exist_ok=True)
    path = MODELS_DIR / f"{case}.safetensors"
    metadata = {"generator": "scripts/golden/models.py", "torch": torch.__version__, **metadata}
    write_safetensors(path, tensors, metadata)
    size = os.path.getsize(path)
    if size >= MAX_BYTES:
        raise SystemExit(f"{path} is {size} bytes, over the {MAX_BYTES} byte budget")
    print(f"wrote {path.relative_to(ROOT)} ({len(tensors)} tensors, {size} bytes)")


def formula_model(builder):
    model = builder()
    model.load_state_dict(torch_models.formula_state_dict(model))
    return model


def first_batch_norm(model):
    for key in sorted(model.state_dict()):
        if key.endswith(".running_mean") and entry_kind(model, key)[0] == "bn":
            return key.removesuffix(".running_mean")
    return None


def relative_error(value, reference):
    return float((value.double() - reference).abs().max() / reference.abs().max().clamp_min(1e-30))


def classifier_case(case, name, in_channels, side):
    builder = lambda: torch_models.build(name, num_classes=10, in_channels=in_channels)  # noqa: E731
    inputs = torch.randn(2, in_channels, side, side, generator=seeded(zlib.crc32(case.encode())))

    evaluated = formula_model(builder).eval()
    with torch.no_grad():
        logits_eval = evaluated(inputs)
        # Deep residual nets grow activations in eval mode with formula weights;
        # the float64 run tells the Swift test how much float32 rounding to allow.
        logits_eval_f64 = evaluated.double()(inputs.double())

    trained = formula_model(builder).train()
    with torch.no_grad():
        logits_train = trained(inputs)
    tensors = {"input": inputs, "logits_eval": logits_eval, "logits_train": logits_train}
    metadata = {
        "keys": json.dumps(key_shapes(trained)),
        "model": name,
        "num_classes": "10",
        "in_channels": str(in_channels),
        "parameters": str(sum(p.numel() for p in trained.parameters())),
        "eval_f32_vs_f64_relative_error": f"{relative_error(logits_eval, logits_eval_f64):.3e}",
    }
    bn = first_batch_norm(trained)
    if bn is not None:
        state = trained.state_dict()
        tensors["train_running_mean"] = state[f"{bn}.running_mean"]
        tensors["train_running_var"] = state[f"{bn}.running_var"]
        metadata["train_bn"] = bn
    save(case, tensors, metadata)


def generator_case(name, nc):
    """NLGenerator with formula weights. nc=1 is nayerd's grayscale generator: one
    generated channel, copied into the teacher's 3 input channels."""
    label_embedding = torch.randn(4, 16, generator=seeded(4242))
    targets = torch.tensor([0, 1, 2, 3, 0, 1, 2, 3, 2, 0])
    builder = lambda: torch_models.NLGenerator(  # noqa: E731
        label_embedding, ngf=8, img_size=32, nc=nc, le_emb_size=20, sbz=10)
    generator = formula_model(builder).train()
    with torch.no_grad():
        images = generator(targets).expand(-1, 3, -1, -1)
    save(name, {"label_embedding": label_embedding, "targets": targets, "images": images.contiguous()}, {
        "keys": json.dumps(key_shapes(generator)),
        "model": "nlgenerator",
        "config": json.dumps({"ngf": 8, "img_size": 32, "nc": nc, "image_channels": 3, "le_size": 16,
                              "le_emb_size": 20, "num_classes": 4, "sbz": 10, "n_le": len(generator.le1)}),
        "parameters": str(sum(p.numel() for p in generator.parameters())),
    })


def main():
    torch.set_num_threads(1)
    for case, name, in_channels, side in CASES:
        classifier_case(case, name, in_channels, side)
    generator_case("nlgenerator", nc=3)
    generator_case("nlgenerator_gray", nc=1)


if __name__ == "__main__":
    main()
