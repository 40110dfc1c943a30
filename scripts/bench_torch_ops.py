"""PyTorch timings for the rows of nayer-bench's ops table (Sources/Commands/Bench/OpsBenchmark.swift).

Prints one JSON object {"torch": version, "threads": 2, "rows": {name: milliseconds}} on stdout.
Row names and shapes must match the Swift side. An optional argument keeps only the rows
whose name contains it (for quick comparisons of one shape). Each figure is the median of REPEATS runs
after WARMUP runs, with torch.set_num_threads(2) like our two workers.
"""
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

BATCH = 256
# (Cin, Cout, H, W, stride), all 3x3 with padding 1
CONV_SHAPES = [(3, 16, 32, 32, 1), (16, 16, 32, 32, 1), (16, 32, 32, 32, 2), (32, 32, 16, 16, 1),
               (64, 64, 8, 8, 1), (128, 128, 16, 16, 1), (128, 64, 32, 32, 1)]
LINEAR = (1000, 8192)
WARMUP = 1
REPEATS = 3
ROW_FILTER = sys.argv[1] if len(sys.argv) > 1 else ""


def median_ms(run) -> float:
    for _ in range(WARMUP):
        run()
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def conv_rows(rows: dict) -> None:
    generator = torch.Generator().manual_seed(0)
    for cin, cout, h, w, stride in CONV_SHAPES:
        name = f"conv {cin}->{cout} {h}x{w} s{stride}"
        if ROW_FILTER not in name:
            continue
        x = torch.randn(BATCH, cin, h, w, generator=generator)
        weight = torch.randn(cout, cin, 3, 3, generator=generator) * 0.1
        bias = torch.randn(cout, generator=generator)
        with torch.no_grad():
            y = F.conv2d(x, weight, bias, stride=stride, padding=1)
            grad = torch.randn(y.shape, generator=generator)

            def backward(mask):
                return torch.ops.aten.convolution_backward(
                    grad, x, weight, [cout], [stride, stride], [1, 1], [1, 1], False, [0, 0], 1, mask)

            rows[f"{name} forward"] = median_ms(lambda: F.conv2d(x, weight, bias, stride=stride, padding=1))
            rows[f"{name} backward-input"] = median_ms(lambda: backward([True, False, False]))
            rows[f"{name} backward-weight"] = median_ms(lambda: backward([False, True, False]))


def linear_rows(rows: dict) -> None:
    generator = torch.Generator().manual_seed(1)
    features_in, features_out = LINEAR
    x = torch.randn(BATCH, features_in, generator=generator, requires_grad=True)
    weight = (torch.randn(features_out, features_in, generator=generator) * 0.03).requires_grad_(True)
    bias = torch.randn(features_out, generator=generator).requires_grad_(True)
    grad = torch.randn(BATCH, features_out, generator=generator)
    name = f"linear {features_in}->{features_out}"
    if ROW_FILTER not in name:
        return
    with torch.no_grad():
        rows[f"{name} forward"] = median_ms(lambda: F.linear(x, weight, bias))
    y = F.linear(x, weight, bias)

    def backward():
        # input, weight and bias gradients, as a training step needs
        torch.autograd.grad(y, [x, weight, bias], grad, retain_graph=True)

    rows[f"{name} backward"] = median_ms(backward)


def main() -> None:
    torch.set_num_threads(2)
    rows: dict = {}
    conv_rows(rows)
    linear_rows(rows)
    json.dump({"torch": torch.__version__, "threads": torch.get_num_threads(), "rows": rows}, sys.stdout)
    print()


if __name__ == "__main__":
    main()
