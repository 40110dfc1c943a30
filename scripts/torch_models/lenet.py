"""LeNet-5 for 32x32 inputs (`features` / `fc` Sequentials, no BatchNorm)."""
import torch.nn as nn


class LeNet5(nn.Module):
    def __init__(self, num_classes=10, in_channels=3):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 6, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2, 2),
            nn.Conv2d(16, 120, 5), nn.ReLU(),
        )
        self.fc = nn.Sequential(nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, num_classes))

    def forward(self, x):
        return self.fc(self.features(x).flatten(1))
