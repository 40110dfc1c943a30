"""PyTorch reference for NAYER's two training steps, written from /work/shared/NAYER.md.

Run: /work/main/.venv/bin/python scripts/golden/nayer_steps.py
Writes Tests/Fixtures/golden/nayer_steps.safetensors, which
Tests/DistillTests/NayerParityTests.swift replays through NayerSteps (docs/parity.md).

Models carry the formula weights of docs/model-zoo.md, so the fixture stores no model
weights except the generator's noisy layers, which NAYER re-draws from N(0, 1).
Teacher wrn16_1, student resnet8 (the student's parameters are stored after every KD
step, and resnet8 is the smallest zoo model with BatchNorm: this keeps the file small).

1. Synthesis iteration (K = 4, B = 10, 16x16 images): generator forward, crop (pad 4)
   + flip at fixed offsets, normalise, teacher (eval) with BN-statistics hooks, student
   (eval), L = 10 L_bn + 0.5 L_oh + 1.33 L_adv, backward, one Adam step on the
   generator. Variant "synthesis_a": no momentum statistics (first loop);
   "synthesis_b": momentum 0.9 with given momentum statistics; "synthesis_c": as a
   with the L_bn weight 0, so the L_oh and L_adv gradients are visible. Generator
   gradients are stored too (Adam's first step is about lr * sign(g), so the updated
   weights alone say little about gradient magnitudes).
2. Two KD steps (batches of 6): augmentation at fixed offsets, normalise, teacher
   (eval, no grad), student (train), KL(T = 20, batchmean) * T^2, SGD step.
"""
import copy
import pathlib
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from golden.common import save, seeded  # noqa: E402
import torch_models  # noqa: E402

torch.set_num_threads(1)

CLASSES, BATCH, SIDE, PADDING = 4, 10, 16, 4
LTE_SIZE, NOISY_WIDTH, NGF = 16, 20, 8
MEAN = [0.4914, 0.4822, 0.4465]
STD = [0.2023, 0.1994, 0.2010]
WEIGHTS = {"bn": 10.0, "oh": 0.5, "adv": 1.33}
# L_bn's gradient is about 1000 times the others' here, so the full loss alone would not
# notice a wrong L_oh or L_adv backward: variant c drops the L_bn weight.
WEIGHTS_WITHOUT_BN = {"bn": 0.0, "oh": 0.5, "adv": 1.33}
BN_MOMENTUM = 0.9
KD_BATCH, KD_TEMPERATURE = 6, 20.0

out = {}


def formula_model(name):
    model = torch_models.build(name, num_classes=CLASSES)
    model.load_state_dict(torch_models.formula_state_dict(model))
    return model


def augmentation_draw(count, generator):
    """Crop offsets in 0..2p for (dy, dx) and flips, as float tensors for the fixture."""
    offsets = torch.randint(0, 2 * PADDING + 1, (count, 2), generator=generator)
    flips = torch.randint(0, 2, (count,), generator=generator)
    return offsets, flips


def crop_and_flip(x, offsets, flips):
    """torchvision RandomCrop(padding=4) + RandomHorizontalFlip at given draws: zero-pad,
    take the window at (dy, dx), mirror along W where flipped. Differentiable in x."""
    height, width = x.shape[2], x.shape[3]
    padded = F.pad(x, (PADDING,) * 4)
    rows = []
    for n in range(x.shape[0]):
        dy, dx = int(offsets[n, 0]), int(offsets[n, 1])
        window = padded[n:n + 1, :, dy:dy + height, dx:dx + width]
        rows.append(torch.flip(window, dims=[3]) if flips[n] else window)
    return torch.cat(rows)


def normalize(x):
    return (x - torch.tensor(MEAN).view(1, 3, 1, 1)) / torch.tensor(STD).view(1, 3, 1, 1)


class BatchNormStatisticsHook:
    """NAYER.md L_bn term of one teacher BatchNorm2d: statistics of the layer's INPUT."""

    def __init__(self, module, momentum, momentum_statistics):
        self.module = module
        self.momentum = momentum
        self.momentum_statistics = momentum_statistics
        self.handle = module.register_forward_hook(self.hook)
        self.term = None

    def hook(self, module, inputs, output):
        x = inputs[0]
        mean = x.mean(dim=(0, 2, 3))
        variance = x.permute(1, 0, 2, 3).reshape(x.shape[1], -1).var(dim=1, unbiased=False)
        if self.momentum_statistics is not None:
            mmt_mean, mmt_var = self.momentum_statistics
            mean = (1 - self.momentum) * mean + self.momentum * mmt_mean
            variance = (1 - self.momentum) * variance + self.momentum * mmt_var
        self.term = (torch.norm(module.running_var - variance, 2)
                     + torch.norm(module.running_mean - mean, 2))


def batch_norms(model):
    return [(name, module) for name, module in model.named_modules() if isinstance(module, nn.BatchNorm2d)]


def per_sample_kl(student_logits, teacher_logits):
    """sum_k softmax(t)_k (log softmax(t)_k - log softmax(s)_k) per row (T = 1)."""
    return F.kl_div(F.log_softmax(student_logits, dim=1), F.softmax(teacher_logits, dim=1),
                    reduction="none").sum(dim=1)


def put_state(prefix, module):
    for key, value in module.state_dict().items():
        out[f"{prefix}.{key}"] = value.detach().clone().float()


# ---- shared synthesis inputs -------------------------------------------------------
g = seeded(2024)
label_embedding = torch.randn(CLASSES, LTE_SIZE, generator=g) * 3
extra = torch.randint(0, CLASSES, (BATCH % CLASSES,), generator=g)
labels = torch.cat([torch.arange(CLASSES).repeat(BATCH // CLASSES), extra])
offsets, flips = augmentation_draw(BATCH, g)
n_le = -(-BATCH // CLASSES)
noisy = [torch.randn(NOISY_WIDTH, LTE_SIZE, generator=g) for _ in range(n_le)]

teacher = formula_model("wrn16_1").eval()
student = formula_model("resnet8").eval()
for parameter in list(teacher.parameters()) + list(student.parameters()):
    parameter.requires_grad_(False)
teacher_norms = batch_norms(teacher)
momentum_statistics = {
    name: (torch.randn(m.num_features, generator=g) * 0.2, 0.5 + torch.rand(m.num_features, generator=g))
    for name, m in teacher_norms
}

out["synthesis.label_embedding"] = label_embedding
out["synthesis.labels"] = labels.float()
out["synthesis.offsets"] = offsets.float()
out["synthesis.flips"] = flips.float()
for i, weight in enumerate(noisy):
    out[f"synthesis.noisy.le1.{i}.weight"] = weight
for name, (mean, variance) in momentum_statistics.items():
    out[f"synthesis_b.mmt_mean.{name}"] = mean
    out[f"synthesis_b.mmt_var.{name}"] = variance


def make_generator():
    generator = torch_models.NLGenerator(label_embedding, ngf=NGF, img_size=SIDE, nc=3,
                                         le_emb_size=NOISY_WIDTH, sbz=BATCH)
    generator.load_state_dict(torch_models.formula_state_dict(generator))
    # NAYER.md: at the start of every loop each noisy layer gets N(0, 1) weights, bias 0.
    with torch.no_grad():
        for layer, weight in zip(generator.le1, noisy):
            layer.weight.copy_(weight)
            layer.bias.zero_()
    return generator.train()


def synthesis(case, with_momentum, weights):
    generator = make_generator()
    hooks = [BatchNormStatisticsHook(m, BN_MOMENTUM, momentum_statistics[name] if with_momentum else None)
             for name, m in teacher_norms]
    optimizer = torch.optim.Adam(generator.parameters(), lr=4e-3, betas=(0.5, 0.999), foreach=False)
    optimizer.zero_grad()
    images = generator(labels)
    augmented = normalize(crop_and_flip(images, offsets, flips))
    teacher_logits = teacher(augmented)
    loss_bn = sum(hook.term for hook in hooks)
    loss_oh = F.cross_entropy(teacher_logits, labels)
    student_logits = student(augmented)
    mask = (student_logits.argmax(dim=1) == teacher_logits.argmax(dim=1)).float()
    assert 0 < mask.sum() < BATCH, f"{case}: the agreement mask must be mixed, got {mask.tolist()}"
    loss_adv = -(per_sample_kl(student_logits, teacher_logits) * mask).mean()
    total = weights["bn"] * loss_bn + weights["oh"] * loss_oh + weights["adv"] * loss_adv
    total.backward()
    for key, parameter in generator.named_parameters():
        out[f"{case}.grad.{key}"] = parameter.grad.detach().clone()
    optimizer.step()
    for hook in hooks:
        hook.handle.remove()
    out.update({f"{case}.loss_bn": loss_bn.reshape(1), f"{case}.loss_oh": loss_oh.reshape(1),
                f"{case}.loss_adv": loss_adv.reshape(1), f"{case}.loss_total": total.reshape(1),
                f"{case}.mask": mask})
    if case == "synthesis_a":
        # Every variant starts from the same generator, so the images are stored once.
        out["synthesis.images"] = images
    put_state(f"{case}.after", generator)
    print(f"{case}: L_bn {loss_bn.item():.6g} L_oh {loss_oh.item():.6g} L_adv {loss_adv.item():.6g} "
          f"total {total.item():.6g}, mask {mask.tolist()}")


synthesis("synthesis_a", with_momentum=False, weights=WEIGHTS)
synthesis("synthesis_b", with_momentum=True, weights=WEIGHTS)
synthesis("synthesis_c", with_momentum=False, weights=WEIGHTS_WITHOUT_BN)

# ---- knowledge distillation ------------------------------------------------------------
g = seeded(77)
kd_student = formula_model("resnet8").train()
kd_optimizer = torch.optim.SGD(kd_student.parameters(), lr=0.2, momentum=0.9, weight_decay=1e-4, foreach=False)


def kd_loss(student_logits, teacher_logits):
    return F.kl_div(F.log_softmax(student_logits / KD_TEMPERATURE, dim=1),
                    F.softmax(teacher_logits / KD_TEMPERATURE, dim=1),
                    reduction="batchmean") * KD_TEMPERATURE ** 2


def kd_loss_float64(x):
    """At T = 20 the softened distributions are nearly uniform and the KL is a difference
    of nearly equal sums: float32 carries about 1e-4 relative error here (PyTorch's own
    float32 loss is 7e-5 off), so the loss is also computed in float64 for the test."""
    with torch.no_grad():
        return kd_loss(copy.deepcopy(kd_student).double()(x.double()),
                       copy.deepcopy(teacher).double()(x.double()))


for step in (1, 2):
    raw = torch.rand(KD_BATCH, 3, SIDE, SIDE, generator=g)
    kd_offsets, kd_flips = augmentation_draw(KD_BATCH, g)
    x = normalize(crop_and_flip(raw, kd_offsets, kd_flips))
    loss_float64 = kd_loss_float64(x)
    with torch.no_grad():
        teacher_logits = teacher(x)
    kd_optimizer.zero_grad()
    loss = kd_loss(kd_student(x), teacher_logits)
    loss.backward()
    kd_optimizer.step()
    case = f"kd.step{step}"
    out.update({f"{case}.images": raw, f"{case}.offsets": kd_offsets.float(), f"{case}.flips": kd_flips.float(),
                f"{case}.loss": loss.reshape(1), f"{case}.loss_f64": loss_float64.reshape(1)})
    put_state(f"{case}.after", kd_student)
    print(f"{case}: loss {loss.item():.6g} (float64 {loss_float64.item():.8g})")

save("nayer_steps", out)
