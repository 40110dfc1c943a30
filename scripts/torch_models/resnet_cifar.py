"""CIFAR ResNet-18/34 (DAFL lineage "resnet.py").

Stem conv1/bn1 (3x3, stride 1, no max-pool), layer1..4 of BasicBlocks whose
projection is `shortcut` = Sequential(conv 1x1, BN) when needed and an empty
Sequential (no state_dict keys) otherwise, global average pool, `linear`.
"""
import torch.nn as nn
import torch.nn.functional as F

from .blocks import add_stages


class ResNetCifar(nn.Module):
    def __init__(self, blocks_per_stage, num_classes=10, in_channels=3):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels, 64, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(64)
        add_stages(self, 64, [64, 128, 256, 512], [1, 2, 2, 2], blocks_per_stage, "shortcut")
        self.linear = nn.Linear(512, num_classes)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.linear(x)
