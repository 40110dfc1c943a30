#!/usr/bin/env python3
"""Convert label embeddings saved by PyTorch code into an `lte` safetensors file.

The NAYER reference stores its CLIP label-text embeddings (CIFAR-10/100, Tiny-ImageNet,
ImageNet) with `pickle.dump(torch.Tensor)`; others use `torch.save` or numpy. This reads
any of: a pickled torch.Tensor or numpy array, a pickled list of rows, a torch.save file,
or a .npy file, checks that it is a finite K x d matrix, and writes tensor `lte`
(float32, K x d) for a manifest's `"label_embedding": {"file": ...}`.

Unpickling runs code from the file: convert only files you trust.

Usage: lte_from_pickle.py INPUT OUTPUT [--labels N] [--key NAME]
  --labels N   fail unless the table has exactly N rows (one per class)
  --key NAME   when the file holds a dict, the entry to take
Needs numpy and safetensors, and torch for torch pickles (scripts/lib/venv.sh installs them).
"""
import argparse
import pickle
import sys

import numpy as np


def load_any(path):
    if path.endswith(".npy"):
        return np.load(path, allow_pickle=False)
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head[:2] == b"PK":  # torch.save's zip format
        import torch
        return torch.load(path, map_location="cpu", weights_only=False)
    with open(path, "rb") as handle:
        return pickle.load(handle)


def to_matrix(value, key):
    if isinstance(value, dict):
        if key is None:
            raise ValueError(f"the file holds a dict with keys {sorted(map(str, value))[:10]}; choose one with --key")
        if key not in value:
            raise ValueError(f"the file's dict has no key {key!r}")
        value = value[key]
    if hasattr(value, "detach"):  # torch.Tensor
        value = value.detach().cpu().float().numpy()
    matrix = np.asarray(value, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] < 1 or matrix.shape[1] < 1:
        raise ValueError(f"expected a K x d matrix, got shape {list(matrix.shape)}")
    if not np.isfinite(matrix).all():
        raise ValueError("the embeddings contain NaN or infinite values")
    return matrix.astype(np.float32)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--labels", type=int, default=None)
    parser.add_argument("--key", default=None)
    arguments = parser.parse_args()
    try:
        matrix = to_matrix(load_any(arguments.input), arguments.key)
        if arguments.labels is not None and matrix.shape[0] != arguments.labels:
            raise ValueError(f"the table has {matrix.shape[0]} rows but --labels says {arguments.labels}")
        from safetensors.numpy import save_file
        save_file({"lte": np.ascontiguousarray(matrix)}, arguments.output,
                  metadata={"source": arguments.input.rsplit("/", 1)[-1], "producer": "lte_from_pickle.py"})
    except Exception as error:  # one clear line, exit 1
        print(f"lte_from_pickle.py: {arguments.input}: {error}", file=sys.stderr)
        return 1
    print(f"wrote {arguments.output}: {matrix.shape[0]} labels x {matrix.shape[1]} dimensions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
