"""PyTorch reference definitions of the data-free KD model zoo.

`build(name, num_classes, in_channels)` makes any classifier in MODELS; the module
structure and state_dict keys match the reference repositories so their
checkpoints load unchanged. `formula_state_dict` fills a model with the
deterministic weights documented in docs/model-zoo.md.
"""
from .formula import formula_state_dict, formula_value
from .generator import NLGenerator
from .lenet import LeNet5
from .resnet_cifar import ResNetCifar
from .resnet_tiny import ResNetTiny
from .vgg import VGG
from .wresnet import WideResNet

MODELS = {
    **{f"resnet{depth}": (lambda depth: lambda c, i: ResNetTiny(depth, c, i))(depth)
       for depth in (8, 14, 20, 32, 44, 56, 110)},
    "resnet18": lambda c, i: ResNetCifar([2, 2, 2, 2], c, i),
    "resnet34": lambda c, i: ResNetCifar([3, 4, 6, 3], c, i),
    **{f"wrn{depth}_{width}": (lambda depth, width: lambda c, i: WideResNet(depth, width, c, i))(depth, width)
       for depth, width in ((16, 1), (16, 2), (40, 1), (40, 2))},
    "vgg8_bn": lambda c, i: VGG("S", c, i),
    "vgg11_bn": lambda c, i: VGG("A", c, i),
    "vgg13_bn": lambda c, i: VGG("B", c, i),
    "lenet5": lambda c, i: LeNet5(c, i),
}


def build(name, num_classes=10, in_channels=3):
    try:
        factory = MODELS[name]
    except KeyError:
        raise ValueError(f"unknown model {name!r}; known: {', '.join(MODELS)}") from None
    return factory(num_classes, in_channels)


__all__ = ["MODELS", "build", "formula_state_dict", "formula_value", "NLGenerator"]
