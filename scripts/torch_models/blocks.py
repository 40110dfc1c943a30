"""The post-activation BasicBlock shared by both CIFAR ResNet lineages.

The lineages differ only in the projection shortcut's attribute name
(`downsample` in RepDistiller, `shortcut` in DAFL); an identity shortcut has no
state_dict keys in either.
"""
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, in_planes, planes, stride, shortcut_name):
        super().__init__()
        self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.shortcut_name = shortcut_name
        projection = nn.Sequential()
        if stride != 1 or in_planes != planes:
            projection = nn.Sequential(
                nn.Conv2d(in_planes, planes, 1, stride=stride, bias=False),
                nn.BatchNorm2d(planes),
            )
        setattr(self, shortcut_name, projection)

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + getattr(self, self.shortcut_name)(x))


def add_stages(model, in_planes, widths, strides, counts, shortcut_name):
    """Registers layer1, layer2, ... on `model`; the first block of each stage strides."""
    for stage, (planes, stride, count) in enumerate(zip(widths, strides, counts), start=1):
        layers = []
        for index in range(count):
            layers.append(BasicBlock(in_planes, planes, stride if index == 0 else 1, shortcut_name))
            in_planes = planes
        setattr(model, f"layer{stage}", nn.Sequential(*layers))
