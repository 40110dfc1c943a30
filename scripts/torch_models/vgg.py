"""VGG-8/11/13 with BatchNorm (RepDistiller "vgg.py").

Five Sequential blocks of (conv 3x3 with bias, BN, ReLU) whose last ReLU is
dropped, so each block ends with a BN and the forward pass applies the ReLU.
Max-pools (2x2) follow blocks 0..2; block 3 is pooled only for 64-pixel-high
inputs; block 4 feeds a global average pool and the `classifier`.
"""
import torch.nn as nn
import torch.nn.functional as F

CONFIGS = {
    "S": [[64], [128], [256], [512], [512]],
    "A": [[64], [128], [256, 256], [512, 512], [512, 512]],
    "B": [[64, 64], [128, 128], [256, 256], [512, 512], [512, 512]],
}


def _make_block(widths, in_channels):
    layers = []
    for width in widths:
        layers += [nn.Conv2d(in_channels, width, 3, padding=1), nn.BatchNorm2d(width), nn.ReLU()]
        in_channels = width
    return nn.Sequential(*layers[:-1])


class VGG(nn.Module):
    def __init__(self, config, num_classes=10, in_channels=3):
        super().__init__()
        widths = CONFIGS[config]
        previous = in_channels
        for index, block in enumerate(widths):
            setattr(self, f"block{index}", _make_block(block, previous))
            previous = block[-1]
        self.classifier = nn.Linear(512, num_classes)

    def forward(self, x):
        height = x.shape[2]
        x = F.max_pool2d(F.relu(self.block0(x)), 2)
        x = F.max_pool2d(F.relu(self.block1(x)), 2)
        x = F.max_pool2d(F.relu(self.block2(x)), 2)
        x = F.relu(self.block3(x))
        if height == 64:
            x = F.max_pool2d(x, 2)
        x = F.relu(self.block4(x))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.classifier(x)
