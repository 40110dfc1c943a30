#!/usr/bin/env python3
"""Draws the ablation's test-accuracy curves (one colour per generator input: thin
lines per seed, a thick line for the mean over seeds) as curves.svg, and writes
table.md: mean accuracy per epoch and, per seed, the epochs until a threshold.
Usage: plot_ablation.py RESULTS_DIR (holding seedN/{lte,onehot,noise,random}.csv).
Standard library only, so it runs without the torch venv."""
import csv
import statistics
import sys
from pathlib import Path

VARIANTS = [("lte", "label-text embedding", "#1f77b4"),
            ("onehot", "one-hot", "#ff7f0e"),
            ("noise", "noise", "#2ca02c"),
            ("random", "random table", "#7f7f7f")]
THRESHOLDS = [50, 60, 70, 75, 80]


def read_curve(path):
    with open(path) as handle:
        return {int(row["epoch"]): 100 * float(row["test_accuracy"])
                for row in csv.DictReader(handle) if row["test_accuracy"]}


def mean_curve(curves):
    epochs = sorted(set.intersection(*(set(curve) for curve in curves)))
    return {epoch: statistics.mean(curve[epoch] for curve in curves) for epoch in epochs}


def svg(runs, epochs):
    width, height, left, bottom, top, right = 640, 360, 50, 40, 20, 170
    def x(epoch):
        return left + (width - left - right) * epoch / max(epochs, 1)
    def y(accuracy):
        return top + (height - top - bottom) * (1 - accuracy / 100)
    def polyline(curve, colour, stroke, opacity):
        points = " ".join(f"{x(e):.1f},{y(a):.1f}" for e, a in sorted(curve.items()))
        return (f'<polyline fill="none" stroke="{colour}" stroke-width="{stroke}" '
                f'stroke-opacity="{opacity}" points="{points}"/>')
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             'font-family="sans-serif" font-size="12">',
             f'<rect width="{width}" height="{height}" fill="white"/>']
    for accuracy in range(0, 101, 20):
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(accuracy)}" y2="{y(accuracy)}" stroke="#ddd"/>')
        parts.append(f'<text x="{left - 6}" y="{y(accuracy) + 4}" text-anchor="end">{accuracy}%</text>')
    for epoch in range(0, epochs + 1, max(1, epochs // 6)):
        parts.append(f'<text x="{x(epoch)}" y="{height - bottom + 16}" text-anchor="middle">{epoch}</text>')
    parts.append(f'<text x="{(left + width - right) / 2}" y="{height - 6}" text-anchor="middle">epoch</text>')
    for index, (variant, label, colour) in enumerate(VARIANTS):
        curves = runs.get(variant)
        if not curves:
            continue
        parts += [polyline(curve, colour, 1, 0.35) for curve in curves]
        parts.append(polyline(mean_curve(curves), colour, 2.5, 1))
        legend_y = top + 20 * index + 10
        parts.append(f'<line x1="{width - right + 10}" x2="{width - right + 30}" y1="{legend_y}" '
                     f'y2="{legend_y}" stroke="{colour}" stroke-width="2.5"/>')
        parts.append(f'<text x="{width - right + 36}" y="{legend_y + 4}">{label} ({len(curves)})</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def table(runs, seeds):
    present = [(v, label) for v, label, _ in VARIANTS if v in runs]
    means = {v: mean_curve(runs[v]) for v, _ in present}
    header = "| " + " | ".join(label for _, label in present) + " |"
    rule = "|---" * (len(present) + 1) + "|"
    lines = [f"Mean test accuracy (%) over seeds {', '.join(seeds)}:", "", "| epoch " + header, rule]
    for epoch in sorted(set.union(*(set(m) for m in means.values()))):
        cells = [f"{means[v][epoch]:.2f}" if epoch in means[v] else "" for v, _ in present]
        lines.append(f"| {epoch} | " + " | ".join(cells) + " |")
    lines += ["", "First epoch at or above each threshold, per seed (- if never):", "",
              "| threshold " + header, rule]
    for threshold in THRESHOLDS:
        cells = [" / ".join(next((str(e) for e, a in sorted(c.items()) if a >= threshold), "-") for c in runs[v])
                 for v, _ in present]
        lines.append(f"| {threshold}% | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main():
    results = Path(sys.argv[1])
    seed_dirs = sorted(results.glob("seed*"), key=lambda p: int(p.name[4:]))
    runs = {}
    for variant, _, _ in VARIANTS:
        curves = [read_curve(d / f"{variant}.csv") for d in seed_dirs if (d / f"{variant}.csv").exists()]
        if curves:
            runs[variant] = curves
    if not runs:
        sys.exit(f"no seedN/<variant>.csv under {results}")
    epochs = max(max(curve) for curves in runs.values() for curve in curves)
    (results / "curves.svg").write_text(svg(runs, epochs))
    text = table(runs, [d.name[4:] for d in seed_dirs])
    (results / "table.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
