#!/usr/bin/env python3
"""A generator-input table with the teacher's own class structure (ablation diagnostic).

Row k is log(mean softmax(teacher(x) / 4)) over the Fashion-MNIST training images x of
class k: how much class k looks like each class to the teacher. After NAYER's
BatchNorm1d its rows group as the teacher does (tops together, shoes together, the two
groups far apart), which MiniLM's label embeddings do not. It is not data-free, since it
reads the real training images: it only asks whether the teacher's own class similarity,
fed in place of label-text embeddings, speeds NAYER up (docs/results/ablation-width/).

Usage: .venv/bin/python scripts/teacher_similarity_table.py OUT.safetensors
"""
import pathlib
import sys

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import torch_models  # noqa: E402
import train_torch_teacher as recipe  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
TEMPERATURE = 4.0
TOPS, SHOES = [0, 2, 3, 4, 6], [5, 7, 9]


def post_batchnorm_cosines(table):
    """Cosines between rows after BatchNorm1d over a batch holding every class equally often."""
    z = (table - table.mean(0)) / table.std(0, unbiased=False).clamp_min(1e-6)
    z = F.normalize(z, dim=1)
    return z @ z.T


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    torch.set_num_threads(2)
    images, labels = recipe.load_split(pathlib.Path("/usr/share/datasets/fashion-mnist"), "train")
    teacher = torch_models.build("resnet20")
    teacher.load_state_dict(recipe.load_weights(ROOT / "teachers/fmnist-resnet20.safetensors"))
    teacher.eval()
    with torch.no_grad():
        logits = torch.cat([teacher(recipe.normalise(images[s:s + 2000])) for s in range(0, len(images), 2000)])
    probabilities = F.softmax(logits / TEMPERATURE, dim=1)
    table = torch.stack([probabilities[labels == k].mean(0) for k in range(10)]).log()
    cosines = post_batchnorm_cosines(table).numpy()

    def within(group):
        return np.mean([cosines[i, j] for i in group for j in group if i != j])
    print(f"after BatchNorm1d: cosine within tops {within(TOPS):.2f}, within shoes {within(SHOES):.2f}, "
          f"tops against shoes {cosines[np.ix_(TOPS, SHOES)].mean():.2f}")
    from safetensors.torch import save_file
    save_file({"lte": table.float().contiguous()}, sys.argv[1])


if __name__ == "__main__":
    main()
