"""CIFAR ResNet-8..110 ("resnet_tiny", RepDistiller lineage).

Module and state_dict names follow the reference: conv1/bn1 stem, layer1..3 of
BasicBlocks whose projection shortcut is `downsample` = Sequential(conv 1x1, BN),
and a final `fc`. The reference pools with AvgPool2d(8); adaptive pooling to 1x1
gives the same result at 32x32 and also works for other input sizes.
"""
import torch.nn as nn
import torch.nn.functional as F

from .blocks import add_stages


class ResNetTiny(nn.Module):
    def __init__(self, depth, num_classes=10, in_channels=3):
        super().__init__()
        if (depth - 2) % 6 != 0:
            raise ValueError(f"resnet depth must be 6n+2, got {depth}")
        blocks = (depth - 2) // 6
        self.conv1 = nn.Conv2d(in_channels, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        add_stages(self, 16, [16, 32, 64], [1, 2, 2], [blocks] * 3, "downsample")
        self.fc = nn.Linear(64, num_classes)
        # The reference initialises convs with Kaiming-normal (fan_out) and BN to (1, 0).
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def forward(self, x):
        x = F.relu(self.bn1(self.conv1(x)))
        x = self.layer3(self.layer2(self.layer1(x)))
        x = F.adaptive_avg_pool2d(x, 1).flatten(1)
        return self.fc(x)
