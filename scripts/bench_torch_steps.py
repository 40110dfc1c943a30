"""PyTorch timings for nayer-bench's steps table (Sources/Commands/Bench/StepsBenchmark.swift).

Times one NAYER generator step (ngf 64 and 32) and one KD step at batch 256 with teacher
resnet20 and student wrn16_1 (scripts/torch_models), torch.set_num_threads(2).

"reference-style": as the NAYER reference runs them: teacher and student parameters keep
requires_grad=True (so backward also computes their weight gradients), the BN-statistics
loss comes from forward hooks. "optimized": frozen weights (requires_grad False) and
channels_last memory format, the best plain PyTorch does for the same maths.

--json prints one line {"generator_step_ms": {"ngf64": .., "ngf32": ..}, "kd_step_ms": ..,
"threads": 2, "optimized": {...}}; without it, a readable table.
"""
import json
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, __file__.rsplit("/", 1)[0])
import bench_torch_ops  # noqa: E402
from bench_torch_ops import median_ms  # noqa: E402
from torch_models import NLGenerator, build  # noqa: E402

BATCH = 256
CLASSES = 10
EMBEDDING = 384
NOISY_WIDTH = 1000
TEMPERATURE = 20.0
MEAN = torch.tensor([0.4914, 0.4822, 0.4465]).view(1, 3, 1, 1)
STD = torch.tensor([0.2023, 0.1994, 0.2010]).view(1, 3, 1, 1)


class DeepInversionHook:
    """The reference's BN-statistics hook (first loop: no momentum blending)."""

    def __init__(self, module):
        self.hook = module.register_forward_hook(self.hook_fn)
        self.r_feature = None

    def hook_fn(self, module, input, output):
        x = input[0]
        channels = x.shape[1]
        mean = x.mean([0, 2, 3])
        var = x.permute(1, 0, 2, 3).contiguous().view([channels, -1]).var(1, unbiased=False)
        self.r_feature = torch.norm(module.running_var.data - var, 2) + torch.norm(module.running_mean.data - mean, 2)


def kldiv(logits, targets, temperature=1.0, reduction="batchmean"):
    q = F.log_softmax(logits / temperature, dim=1)
    p = F.softmax(targets / temperature, dim=1)
    return F.kl_div(q, p, reduction=reduction) * (temperature * temperature)


def augment(images, generator, channels_last):
    # RandomCrop(32, padding=4) + horizontal flip + normalisation, differentiable.
    padded = F.pad(images, (4, 4, 4, 4))
    dy, dx = torch.randint(0, 9, (2,), generator=generator).tolist()
    out = padded[:, :, dy:dy + 32, dx:dx + 32]
    if torch.rand(1, generator=generator).item() < 0.5:
        out = out.flip(3)
    out = (out - MEAN) / STD
    return out.contiguous(memory_format=torch.channels_last) if channels_last else out


def classifiers(optimized):
    teacher, student = build("resnet20", CLASSES), build("wrn16_1", CLASSES)
    for model in (teacher, student):
        model.eval()
        if optimized:
            model.requires_grad_(False)
            model.to(memory_format=torch.channels_last)
    return teacher, student


def generator_step(ngf, optimized):
    torch.manual_seed(0)
    teacher, student = classifiers(optimized)
    embedding = torch.randn(CLASSES, EMBEDDING)
    generator = NLGenerator(embedding, ngf=ngf, img_size=32, nc=3, le_emb_size=NOISY_WIDTH, sbz=BATCH)
    if optimized:
        generator.to(memory_format=torch.channels_last)
    hooks = [DeepInversionHook(m) for m in teacher.modules() if isinstance(m, nn.BatchNorm2d)]
    optimizer = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.999))
    targets = torch.arange(BATCH) % CLASSES
    random = torch.Generator().manual_seed(1)

    def step():
        images = generator(targets)
        augmented = augment(images, random, optimized)
        t_out = teacher(augmented)
        loss_bn = sum(h.r_feature for h in hooks)
        loss_oh = F.cross_entropy(t_out, targets)
        s_out = student(augmented)
        mask = (s_out.max(1)[1] == t_out.max(1)[1]).float()
        loss_adv = -(kldiv(s_out, t_out, reduction="none").sum(1) * mask).mean()
        loss = 10 * loss_bn + loss_oh + loss_adv
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return median_ms(step)


def kd_step(optimized):
    torch.manual_seed(0)
    teacher, student = classifiers(optimized)
    student.train()
    student.requires_grad_(True)
    optimizer = torch.optim.SGD(student.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    images = torch.randn(BATCH, 3, 32, 32)
    if optimized:
        images = images.contiguous(memory_format=torch.channels_last)

    def step():
        with torch.no_grad():
            t_out = teacher(images)
        s_out = student(images.detach())
        loss = kldiv(s_out, t_out.detach(), temperature=TEMPERATURE)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return median_ms(step)


def timings(optimized):
    return {"generator_step_ms": {f"ngf{ngf}": generator_step(ngf, optimized) for ngf in (64, 32)},
            "kd_step_ms": kd_step(optimized)}


def main() -> None:
    torch.set_num_threads(2)
    # median_ms reads these at call time: 2 warm-up and 5 timed steps, as the Swift side.
    bench_torch_ops.WARMUP, bench_torch_ops.REPEATS = 2, 5
    result = timings(optimized=False)
    result["threads"] = torch.get_num_threads()
    result["optimized"] = timings(optimized=True)
    if "--json" in sys.argv[1:]:
        print(json.dumps(result))
        return
    print(f"{'step':<22}{'reference ms':>14}{'optimized ms':>14}   (batch {BATCH}, {result['threads']} threads)")
    for ngf in (64, 32):
        key = f"ngf{ngf}"
        print(f"{'generator step ngf ' + str(ngf):<22}{result['generator_step_ms'][key]:>14.1f}"
              f"{result['optimized']['generator_step_ms'][key]:>14.1f}")
    print(f"{'KD step':<22}{result['kd_step_ms']:>14.1f}{result['optimized']['kd_step_ms']:>14.1f}")


if __name__ == "__main__":
    main()
