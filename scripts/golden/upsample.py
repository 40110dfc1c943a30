"""Golden fixture for nearest-neighbour 2x upsampling."""
import torch.nn.functional as F

from common import randn, save, seeded

g = seeded(51)
x = randn(2, 3, 4, 5, generator=g).requires_grad_(True)
y = F.interpolate(x, scale_factor=2, mode="nearest")
grad_output = randn(*y.shape, generator=g)
y.backward(grad_output)
save("upsample", {"nearest.x": x, "nearest.y": y, "nearest.grad_output": grad_output, "nearest.grad_x": x.grad})
