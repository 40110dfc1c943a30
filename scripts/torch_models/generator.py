"""NAYER's NLGenerator (label-text embedding -> BN1d -> K-to-1 noisy layers -> images).

The label embedding pool is a plain tensor attribute, not a parameter or buffer,
so it is not part of the state_dict (as in the reference).
"""
import math

import torch
import torch.nn as nn


class NLGenerator(nn.Module):
    def __init__(self, label_embedding, ngf=64, img_size=32, nc=3, le_emb_size=1000, sbz=200):
        super().__init__()
        num_classes, le_size = label_embedding.shape
        if img_size % 4 != 0:
            raise ValueError(f"image size must be a multiple of 4, got {img_size}")
        self.label_embedding = label_embedding
        self.nl = num_classes
        self.init_size = img_size // 4
        self.n1 = nn.BatchNorm1d(le_size)
        n_le = math.ceil(sbz / num_classes)
        self.le1 = nn.ModuleList([nn.Linear(le_size, le_emb_size) for _ in range(n_le)])
        self.l1 = nn.Sequential(nn.Linear(le_emb_size, ngf * 2 * self.init_size ** 2))
        self.conv_blocks = nn.Sequential(
            nn.BatchNorm2d(ngf * 2),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(ngf * 2, ngf * 2, 3, stride=1, padding=1, bias=False),
            nn.BatchNorm2d(ngf * 2),
            nn.LeakyReLU(0.2),
            nn.Upsample(scale_factor=2),
            nn.Conv2d(ngf * 2, ngf, 3, stride=1, padding=1, bias=False),
            nn.BatchNorm2d(ngf),
            nn.LeakyReLU(0.2),
            nn.Conv2d(ngf, nc, 3, stride=1, padding=1),
            nn.Sigmoid(),
        )

    def forward(self, targets):
        embedded = self.n1(self.label_embedding[targets].detach())
        # K-to-1 noisy layer: rows [i*K, (i+1)*K) go through their own Linear.
        chunks = torch.split(embedded, self.nl)
        if len(chunks) > len(self.le1):
            raise ValueError(f"batch of {embedded.shape[0]} rows needs {len(chunks)} noisy layers, have {len(self.le1)}")
        hidden = torch.cat([self.le1[i](chunk) for i, chunk in enumerate(chunks)])
        out = self.l1(hidden)
        out = out.view(out.shape[0], -1, self.init_size, self.init_size)
        return self.conv_blocks(out)
