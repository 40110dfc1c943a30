#!/usr/bin/env python3
"""Train (or evaluate) a ResNet-20 teacher on Fashion-MNIST in PyTorch.

This is the PyTorch twin of `nayerd train-teacher`; both follow this recipe:
- data: the IDX gzip files (train 60000, test 10000) read directly with numpy;
  pixels scaled to [0, 1], zero-padded 2 px on every side (28 -> 32), the grey
  channel replicated to 3 channels, then normalised per channel with
  mean 0.2860, std 0.3530 (after augmentation, so every padding is 0 before normalising);
- augmentation (training only): zero-pad 4 px on every side, crop a random 32x32
  window (offsets uniform in 0..8 per image), horizontal flip with probability 0.5;
- model: resnet20 (scripts/torch_models, 10 classes, 3 input channels), reference
  init (Kaiming-normal fan_out convs, BN weight 1 / bias 0, PyTorch default Linear);
- loss: cross-entropy (mean over the batch), no label smoothing;
- optimiser: SGD lr 0.1, momentum 0.9, weight decay 5e-4 (on every parameter), no Nesterov;
- schedule: per-iteration cosine annealing to 0 over all T = epochs * ceil(60000/128)
  iterations: iteration t (0-based) uses lr_t = 0.1 * (1 + cos(pi * t / T)) / 2;
- batches: 128, a fresh shuffle every epoch, the last partial batch (96 images) is kept;
- evaluation: eval mode (running BN statistics), no augmentation, batches of 1000.
`seconds` in the JSON is the wall time from the first training step to the end of the
last epoch's evaluation, with torch.set_num_threads(2).

Usage:
  train_torch_teacher.py [--epochs 15] [--output PREFIX]   writes PREFIX.pth and PREFIX.json
  train_torch_teacher.py --eval-only WEIGHTS                .pth state_dict or .safetensors
"""
import argparse
import gzip
import json
import math
import pathlib
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import torch_models  # noqa: E402

MEAN = 0.2860
STD = 0.3530
BATCH = 128
EVAL_BATCH = 1000
THREADS = 2


def read_idx(path, magic, rank):
    with gzip.open(path, "rb") as handle:
        data = handle.read()
    if len(data) < 4 + 4 * rank or int.from_bytes(data[:4], "big") != magic:
        raise SystemExit(f"{path}: not an IDX file with magic {magic}")
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(rank)]
    payload = np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * rank)
    if payload.size != math.prod(dims):
        raise SystemExit(f"{path}: header says {dims} but holds {payload.size} bytes")
    return payload.reshape(dims)


def load_split(directory, prefix):
    images = read_idx(directory / f"{prefix}-images-idx3-ubyte.gz", 2051, 3)
    labels = read_idx(directory / f"{prefix}-labels-idx1-ubyte.gz", 2049, 1)
    if len(images) != len(labels):
        raise SystemExit(f"{directory}: {len(images)} {prefix} images but {len(labels)} labels")
    # [0, 1], zero-padded to 32x32, kept single-channel until batching.
    scaled = torch.from_numpy(images.astype(np.float32) / 255.0)
    return F.pad(scaled, (2, 2, 2, 2)).unsqueeze(1), torch.from_numpy(labels.astype(np.int64))


def normalise(batch):
    return ((batch - MEAN) / STD).expand(-1, 3, -1, -1)


def augment(batch, generator):
    count = batch.shape[0]
    padded = F.pad(batch, (4, 4, 4, 4))
    offsets = torch.randint(0, 9, (count, 2), generator=generator)
    flips = torch.rand(count, generator=generator) < 0.5
    crops = torch.stack([padded[i, :, y:y + 32, x:x + 32] for i, (y, x) in enumerate(offsets.tolist())])
    crops[flips] = crops[flips].flip(-1)
    return crops


def evaluate(model, images, labels):
    model.eval()
    correct = 0
    with torch.no_grad():
        for start in range(0, len(images), EVAL_BATCH):
            logits = model(normalise(images[start:start + EVAL_BATCH]))
            correct += int((logits.argmax(1) == labels[start:start + EVAL_BATCH]).sum())
    return correct


def load_weights(path):
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file
        return load_file(str(path))
    return torch.load(path, map_location="cpu", weights_only=True)


def train(arguments, train_set, test_set):
    torch.manual_seed(arguments.seed)
    generator = torch.Generator().manual_seed(arguments.seed)
    model = torch_models.build("resnet20", num_classes=10, in_channels=3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=5e-4, nesterov=False)
    images, labels = train_set
    per_epoch = math.ceil(len(images) / BATCH)
    total = arguments.epochs * per_epoch
    step = 0
    started = time.monotonic()
    for epoch in range(1, arguments.epochs + 1):
        model.train()
        order = torch.randperm(len(images), generator=generator)
        loss_sum = 0.0
        for start in range(0, len(images), BATCH):
            index = order[start:start + BATCH]
            batch = normalise(augment(images[index], generator))
            for group in optimizer.param_groups:
                group["lr"] = 0.1 * (1 + math.cos(math.pi * step / total)) / 2
            loss = F.cross_entropy(model(batch), labels[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss_sum += loss.detach().item() * len(index)
            step += 1
        correct = evaluate(model, *test_set)
        print(f"epoch {epoch}/{arguments.epochs}: train loss {loss_sum / len(images):.4f}, "
              f"test accuracy {correct / len(test_set[0]):.4f}, elapsed {time.monotonic() - started:.1f}s",
              flush=True)
    seconds = time.monotonic() - started
    output = pathlib.Path(arguments.output)
    torch.save(model.state_dict(), output.with_suffix(".pth"))
    report = {"test_accuracy": correct / len(test_set[0]), "correct": correct, "samples": len(test_set[0]),
              "seconds": round(seconds, 1), "epochs": arguments.epochs, "threads": THREADS,
              "model": "resnet20", "seed": arguments.seed, "torch": torch.__version__}
    output.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"total {seconds:.1f}s; wrote {output.with_suffix('.pth')} and {output.with_suffix('.json')}")


def main():
    parser = argparse.ArgumentParser(description="Train or evaluate a ResNet-20 Fashion-MNIST teacher (PyTorch twin of nayerd train-teacher).")
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data-dir", type=pathlib.Path, default=pathlib.Path("/usr/share/datasets/fashion-mnist"))
    parser.add_argument("--output", default="torch-resnet20-fmnist", help="prefix of the .pth and .json written")
    parser.add_argument("--eval-only", type=pathlib.Path, metavar="WEIGHTS", help="only report the test accuracy of WEIGHTS")
    arguments = parser.parse_args()
    if arguments.epochs < 1:
        parser.error("--epochs must be at least 1")
    torch.set_num_threads(THREADS)
    test_set = load_split(arguments.data_dir, "t10k")
    if arguments.eval_only:
        model = torch_models.build("resnet20", num_classes=10, in_channels=3)
        model.load_state_dict(load_weights(arguments.eval_only))
        correct = evaluate(model, *test_set)
        print(json.dumps({"test_accuracy": correct / len(test_set[0]), "correct": correct, "samples": len(test_set[0])}))
        return
    train(arguments, load_split(arguments.data_dir, "train"), test_set)


if __name__ == "__main__":
    main()
