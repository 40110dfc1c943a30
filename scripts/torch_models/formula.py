"""Deterministic "formula weights" (see docs/model-zoo.md, which the Swift tests mirror).

For the k-th state_dict entry in sorted key order and flat element j:
    u = ((j * 7919 + (k + 1) * 104729) mod 2001 - 1000) / 1000      (float64)
then a per-kind affine map, computed in float64 and rounded once to float32.
"""
import math

import numpy as np
import torch
import torch.nn as nn

_BATCH_NORMS = (nn.BatchNorm1d, nn.BatchNorm2d)
_WEIGHTED = (nn.Conv2d, nn.Linear)


def formula_u(index, count):
    """u for elements 0..count-1 of the entry with 0-based sorted index `index`."""
    j = np.arange(count, dtype=np.int64)
    return ((j * 7919 + (index + 1) * 104729) % 2001 - 1000).astype(np.float64) / 1000.0


def formula_value(kind, index, shape):
    """The tensor for one entry; kind is the attribute name plus 'bn' or 'affine' module kind."""
    count = int(np.prod(shape, dtype=np.int64))
    if kind == ("bn", "num_batches_tracked"):
        return torch.zeros(shape, dtype=torch.int64)
    u = formula_u(index, count)
    module_kind, attribute = kind
    if module_kind == "affine" and attribute == "weight":
        fan_in = int(np.prod(shape[1:], dtype=np.int64))
        values = u * 1.7 / math.sqrt(fan_in)
    elif module_kind == "affine" and attribute == "bias":
        values = u * 0.1
    elif module_kind == "bn" and attribute == "weight":
        values = 1.0 + 0.2 * u
    elif module_kind == "bn" and attribute in ("bias", "running_mean"):
        values = 0.1 * u
    elif module_kind == "bn" and attribute == "running_var":
        values = 1.0 + 0.5 * u
    else:
        raise ValueError(f"no formula for {kind}")
    return torch.from_numpy(values.astype(np.float32).reshape(shape))


def entry_kind(model, key):
    module_name, _, attribute = key.rpartition(".")
    module = model.get_submodule(module_name)
    if isinstance(module, _BATCH_NORMS):
        return ("bn", attribute)
    if isinstance(module, _WEIGHTED):
        return ("affine", attribute)
    raise ValueError(f"{key}: unsupported module type {type(module).__name__}")


def formula_state_dict(model):
    """The formula state_dict for `model` (same keys, shapes and dtypes as model.state_dict())."""
    reference = model.state_dict()
    result = {}
    for index, key in enumerate(sorted(reference)):
        tensor = reference[key]
        value = formula_value(entry_kind(model, key), index, tuple(tensor.shape))
        if value.dtype != tensor.dtype:
            raise ValueError(f"{key}: formula dtype {value.dtype} != {tensor.dtype}")
        result[key] = value
    return result
