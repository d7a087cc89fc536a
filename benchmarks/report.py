#!/usr/bin/env python3
"""The comparison table of scripts/benchmark, from the raw figures it collected in OUT:

    python3 benchmarks/report.py OUT --models mlp,cnn --frameworks keras,torch,jax

OUT/trainer-MODEL.txt and OUT/FRAMEWORK-MODEL.txt hold one line per repetition,
"epoch_median whole_run_seconds peak_rss_mb val_accuracy first_epoch_seconds";
OUT/sgemm-MODEL.txt holds "gflops core" from sgemm_rate (one thread) on the model's largest
product. Prints Markdown: one row per measure, one column per framework, the ratio of the
fastest (or smallest) other framework to trainer, the target and whether it is met.
"""

import argparse
import os
import statistics

NAMES = {"keras": "Keras", "torch": "PyTorch", "jax": "JAX"}

# Multiply-adds per sample, counted as direct (im2col) products: training runs a layer's forward
# product, its weight-gradient product and, except for the first layer, its input-gradient
# product; validation runs the forward product alone.
#   MLP: Dense 784→128 (first), Dense 128→10.
#   CNN: Conv2D 3x3x1→32 on 28x28 (26x26 out, first), Conv2D 3x3x32→64 on 13x13 (11x11 out),
#        Dense 1600→10.
FORWARD = {
    "mlp": [784 * 128, 128 * 10],
    "cnn": [26 * 26 * 32 * 9, 11 * 11 * 64 * 9 * 32, 1600 * 10],
}
TRAIN_SAMPLES, VALIDATION_SAMPLES = 60000, 10000
# The product each model's bound is taken on: its largest per batch of 32, [M, K] x [K, N].
LARGEST = {"mlp": (32, 128, 784), "cnn": (32 * 11 * 11, 64, 9 * 32)}
TARGETS = {"mlp": 3.0, "cnn": 4.0}


def epoch_gflop(model):
    forward = FORWARD[model]
    train = sum(forward) * 2 + sum(forward[1:])
    return 2 * (TRAIN_SAMPLES * train + VALIDATION_SAMPLES * sum(forward)) / 1e9


def rows_of(path):
    if not os.path.exists(path):
        return []
    rows = []
    with open(path) as f:
        for line in f:
            fields = line.split()
            if fields:
                rows.append([float(x) if x != "nan" else float("nan") for x in fields])
    return rows


def sgemm_rate(out, model):
    """(GFLOP/s on one thread, kernel core) from OUT/sgemm-MODEL.txt, or None."""
    path = os.path.join(out, f"sgemm-{model}.txt")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        fields = f.read().split()
    return (float(fields[0]), fields[1]) if len(fields) >= 2 else None


def median_of(rows, column):
    values = [r[column] for r in rows if len(r) > column and r[column] == r[column]]
    return statistics.median(values) if values else float("nan")


def fmt(x, places):
    return "–" if x != x else f"{x:.{places}f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("--models", default="mlp,cnn")
    parser.add_argument("--frameworks", default="")
    parser.add_argument("--cores", type=int, default=os.cpu_count())
    args = parser.parse_args()
    models = [m for m in args.models.split(",") if m]
    frameworks = [f for f in args.frameworks.split(",") if f]

    header = ["measure", "trainer"] + [NAMES[f] for f in frameworks]
    if frameworks:
        header += ["best other / trainer", "target", "met"]
    print("| " + " | ".join(header) + " |")
    print("| --- | " + " | ".join(["---:"] * (len(header) - 1 - (3 if frameworks else 0))) + (" | ---: | --- | --- |" if frameworks else " |"))

    def row(label, trainer, others, ratio="", target="", met=""):
        cells = [label, trainer] + others
        if frameworks:
            cells += [ratio, target, met]
        print("| " + " | ".join(cells) + " |")

    def verdict(ok):
        return "–" if ok is None else ("yes" if ok else "no")

    for model in models:
        label = model.upper()
        t = rows_of(os.path.join(args.out, f"trainer-{model}.txt"))
        o = {f: rows_of(os.path.join(args.out, f"{f}-{model}.txt")) for f in frameworks}
        te = median_of(t, 0)
        oe = {f: median_of(o[f], 0) for f in frameworks}
        known = [v for v in oe.values() if v == v]
        best = min(known) if known else float("nan")
        speed = best / te if known and te == te else float("nan")
        row(f"{label} epoch (s)", fmt(te, 3), [fmt(oe[f], 2) for f in frameworks],
            fmt(speed, 2) + "x", f"≥ {TARGETS[model]:g}x", verdict(None if speed != speed else speed >= TARGETS[model]))
        firsts = {f: median_of(o[f], 4) for f in frameworks}
        if any(v == v for v in firsts.values()):
            row(f"{label} first epoch, compilation included (s)", fmt(median_of(t, 4), 3), [fmt(firsts[f], 2) for f in frameworks])
        tw = median_of(t, 1)
        row(f"{label} whole run, process start to exit (s)", fmt(tw, 2), [fmt(median_of(o[f], 1), 2) for f in frameworks])
        tr = median_of(t, 2)
        orss = {f: median_of(o[f], 2) for f in frameworks}
        known_rss = [v for v in orss.values() if v == v]
        smallest = min(known_rss) if known_rss else float("nan")
        share = tr / smallest if known_rss else float("nan")
        rss_target = "trainer ≤ ¼ of the smallest" if model == "mlp" else ""
        row(f"{label} peak RSS (MB)", fmt(tr, 0), [fmt(orss[f], 0) for f in frameworks],
            fmt(1 / share if share == share and share > 0 else float("nan"), 1) + "x", rss_target,
            verdict(None if share != share or model != "mlp" else share <= 0.25))
        ta = median_of(t, 3)
        oa = {f: median_of(o[f], 3) for f in frameworks}
        gap = 100 * (ta - oa["keras"]) if "keras" in oa and oa["keras"] == oa["keras"] else float("nan")
        row(f"{label} val_accuracy", fmt(ta, 4), [fmt(oa[f], 4) for f in frameworks],
            (fmt(gap, 2) + " pt vs Keras") if gap == gap else "", "within 1 point of Keras" if "keras" in oa else "",
            verdict(None if gap != gap else abs(gap) <= 1))
        sgemm = sgemm_rate(args.out, model)
        if sgemm:
            rate = sgemm[0] * args.cores
            bound = epoch_gflop(model) / rate
            def share_of(epoch):
                return "–" if epoch != epoch else fmt(100 * bound / epoch, 0) + "%"
            row(f"{label} sgemm bound / epoch time", share_of(te), [share_of(oe[f]) for f in frameworks])
    print()
    for model in models:
        sgemm = sgemm_rate(args.out, model)
        if sgemm:
            m, n, k = LARGEST[model]
            rate, core = sgemm
            print(f"- {model.upper()} sgemm bound: {epoch_gflop(model):.1f} GFLOP per epoch (direct products: forward, "
                  f"weight and input gradients for 60000 images, forward for 10000) over {rate:.1f} GFLOP/s × {args.cores} cores, "
                  f"OpenBLAS's rate on one thread ({core} kernels) for the largest product, [{m}×{k}]·[{k}×{n}]: "
                  f"{epoch_gflop(model) / (rate * args.cores):.2f} s. Above 100% means fewer operations than direct products "
                  f"(the CNN's Winograd convolutions).")


if __name__ == "__main__":
    main()
