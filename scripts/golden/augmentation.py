"""Golden fixtures for the differentiable crop + flip and the per-channel normalisation.

Crop: F.pad by `padding` zeros on every side, slice the H x W window at (dy, dx), then
torch.flip along W where flips[n]; gradients by backward of a fixed random grad_output.
Offsets are stored as float32 [N, 2] (dy, dx) and flips as float32 [N] (1 = flip).
"""
import torch
import torch.nn.functional as F

from common import randn, save, seeded

out = {}
g = seeded(7)


def crop_and_flip(x, padding, offsets, flips):
    height, width = x.shape[2], x.shape[3]
    padded = F.pad(x, (padding, padding, padding, padding))
    rows = []
    for n, ((dy, dx), flip) in enumerate(zip(offsets, flips)):
        window = padded[n:n + 1, :, dy:dy + height, dx:dx + width]
        rows.append(torch.flip(window, dims=[3]) if flip else window)
    return torch.cat(rows, dim=0)


cases = {
    # Non-square images catch height/width mix-ups; offsets hit both edges 0 and 2p.
    "crop_small": ([4, 2, 5, 6], 2, [(0, 4), (4, 0), (1, 3), (2, 2)], [True, False, True, False]),
    "crop_pad4": ([5, 3, 8, 8], 4, [(0, 0), (8, 8), (3, 5), (8, 0), (0, 8)], [False, True, True, False, True]),
}
for case, (shape, padding, offsets, flips) in cases.items():
    x = randn(*shape, generator=g).requires_grad_(True)
    y = crop_and_flip(x, padding, offsets, flips)
    grad_output = randn(*y.shape, generator=g)
    y.backward(grad_output)
    out[f"{case}.input"] = x
    out[f"{case}.padding"] = torch.tensor([float(padding)])
    out[f"{case}.offsets"] = torch.tensor(offsets, dtype=torch.float32)
    out[f"{case}.flips"] = torch.tensor(flips, dtype=torch.float32)
    out[f"{case}.output"] = y
    out[f"{case}.grad_output"] = grad_output
    out[f"{case}.grad_input"] = x.grad

# Normalisation with the CIFAR-10 statistics.
mean = torch.tensor([0.4914, 0.4822, 0.4465])
std = torch.tensor([0.2023, 0.1994, 0.2010])
x = torch.rand(2, 3, 4, 4, generator=g).requires_grad_(True)
y = (x - mean.view(1, 3, 1, 1)) / std.view(1, 3, 1, 1)
grad_output = randn(*y.shape, generator=g)
y.backward(grad_output)
out.update({"normalize.input": x, "normalize.mean": mean, "normalize.std": std, "normalize.output": y,
            "normalize.grad_output": grad_output, "normalize.grad_input": x.grad})

save("augmentation", out)
