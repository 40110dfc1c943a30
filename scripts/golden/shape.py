"""Golden values for reshape, flatten, permute, transpose, concat, split, narrow and
index_select (keys as in arithmetic.py; index lists are stored as float tensors)."""
import torch

from arithmetic import record
from common import randn, save, seeded

PERMUTATIONS = {
    "permute_nhwc": [0, 2, 3, 1],
    "permute_nchw": [0, 3, 1, 2],
    "permute_mixed": [3, 1, 0, 2],
    "permute_swap_leading": [1, 0, 2, 3],
}


def main():
    generator = seeded(20240613)
    tensors = {}
    record(tensors, "reshape", lambda x: x.reshape(4, -1), {"x": randn(2, 3, 4, generator=generator)}, generator)
    record(tensors, "flatten", lambda x: torch.flatten(x, start_dim=1),
           {"x": randn(2, 3, 2, 2, generator=generator)}, generator)
    for name, axes in PERMUTATIONS.items():
        record(tensors, name, lambda x, axes=axes: x.permute(*axes),
               {"x": randn(2, 3, 4, 5, generator=generator)}, generator)
    record(tensors, "transpose", lambda x: x.transpose(-2, -1), {"x": randn(2, 3, 4, generator=generator)}, generator)
    record(tensors, "transpose_large", lambda x: x.transpose(-2, -1),
           {"x": randn(3, 40, 37, generator=generator)}, generator)
    record(tensors, "concat0", lambda a, b, c: torch.cat([a, b, c], dim=0),
           {"a": randn(2, 3, generator=generator), "b": randn(4, 3, generator=generator),
            "c": randn(1, 3, generator=generator)}, generator)
    record(tensors, "concat1", lambda a, b: torch.cat([a, b], dim=1),
           {"a": randn(2, 3, 2, generator=generator), "b": randn(2, 1, 2, generator=generator)}, generator)
    record(tensors, "narrow", lambda x: x.narrow(1, 1, 2), {"x": randn(3, 4, 2, generator=generator)}, generator)

    # split has several outputs: one upstream gradient per piece, all backpropagated at once.
    x = randn(7, 3, generator=generator).requires_grad_(True)
    pieces = torch.split(x, [2, 4, 1], dim=0)
    grads = [randn(*p.shape, generator=generator) for p in pieces]
    torch.autograd.backward(pieces, grads)
    tensors["split.x"] = x.detach().clone()
    tensors["split.grad_x"] = x.grad
    for i, (piece, grad) in enumerate(zip(pieces, grads)):
        tensors[f"split.output{i}"] = piece.detach().clone()
        tensors[f"split.grad_output{i}"] = grad

    rows = torch.tensor([3, 0, 3, 1, 3, 4])
    record(tensors, "index_select", lambda table: table[rows], {"table": randn(5, 4, generator=generator)}, generator)
    tensors["index_select.rows"] = rows.float()
    save("shape", tensors)


if __name__ == "__main__":
    main()
