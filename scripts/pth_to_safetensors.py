#!/usr/bin/env python3
"""Convert a PyTorch checkpoint (.pth/.pt) into a safetensors file nayerd can load.

Accepted inputs: a plain state_dict (mapping of names to tensors), or a dict holding
one under "state_dict" or "model" (other entries such as "epoch" are ignored). A
leading "module." (from DataParallel / DistributedDataParallel) is stripped from
every key. Floating tensors are written as float32; int64 buffers (BatchNorm's
num_batches_tracked) stay int64. Anything else is rejected with an error.

The checkpoint is loaded with torch.load(weights_only=True), so pickled code in an
untrusted file is never executed.

Usage: pth_to_safetensors.py INPUT.pth [OUTPUT.safetensors] [--list]
"""
import argparse
import pathlib
import sys

import torch
from safetensors.torch import save_file


class ConversionError(Exception):
    pass


def extract_state_dict(checkpoint, source):
    if not isinstance(checkpoint, dict):
        raise ConversionError(f"{source}: expected a dict (state_dict or checkpoint), got {type(checkpoint).__name__}")
    for wrapper in ("state_dict", "model"):
        if wrapper in checkpoint and isinstance(checkpoint[wrapper], dict):
            return checkpoint[wrapper]
    return checkpoint


def convert_state_dict(state, source):
    if not state:
        raise ConversionError(f"{source}: the state_dict is empty")
    converted = {}
    for key, value in state.items():
        if not isinstance(key, str):
            raise ConversionError(f"{source}: key {key!r} is not a string")
        if not isinstance(value, torch.Tensor):
            raise ConversionError(f"{source}: entry {key!r} is a {type(value).__name__}, not a tensor "
                                  "(is this a training checkpoint without a 'state_dict'/'model' entry?)")
        name = key.removeprefix("module.")
        if name in converted:
            raise ConversionError(f"{source}: key {name!r} appears both with and without 'module.'")
        if value.is_floating_point():
            value = value.to(torch.float32)
        elif value.dtype != torch.int64:
            raise ConversionError(f"{source}: entry {key!r} has unsupported dtype {value.dtype} "
                                  "(only floating tensors and int64 buffers are converted)")
        # clone: safetensors refuses tensors sharing storage, which tied weights do.
        converted[name] = value.detach().cpu().contiguous().clone()
    return converted


def load_checkpoint(path):
    if not path.is_file():
        raise ConversionError(f"{path}: no such file")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # torch raises many types for malformed or unsafe pickles
        raise ConversionError(f"{path}: cannot load as a PyTorch checkpoint ({type(error).__name__}: {error})") from error


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="Convert a PyTorch state_dict checkpoint to safetensors (float32 + int64).")
    parser.add_argument("input", type=pathlib.Path, help="checkpoint written by torch.save")
    parser.add_argument("output", type=pathlib.Path, nargs="?",
                        help="destination (default: INPUT with the suffix .safetensors)")
    parser.add_argument("--list", action="store_true", help="print every key with its shape and dtype")
    arguments = parser.parse_args(argv)
    output = arguments.output or arguments.input.with_suffix(".safetensors")
    if output.resolve() == arguments.input.resolve():
        print(f"error: output {output} would overwrite the input", file=sys.stderr)
        return 2
    try:
        state = extract_state_dict(load_checkpoint(arguments.input), arguments.input)
        tensors = convert_state_dict(state, arguments.input)
        save_file(tensors, str(output), metadata={"source": arguments.input.name, "converter": "pth_to_safetensors.py"})
    except (ConversionError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if arguments.list:
        for name, tensor in tensors.items():
            print(f"{name}\t{list(tensor.shape)}\t{str(tensor.dtype).removeprefix('torch.')}")
    count = sum(t.numel() for t in tensors.values())
    print(f"wrote {output} ({len(tensors)} tensors, {count} elements)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
