"""What every framework's side of scripts/benchmark shares: Fashion-MNIST read from its IDX .gz
files with gzip + numpy (scaled by 1/255), the command line, and the JSON lines the script reads.

Each framework script prints one JSON object per line starting with {"benchmark": ...}: one per
epoch ("epoch") and a last one ("summary") with the epoch times, the last val_accuracy, the peak
RSS (resource.getrusage's ru_maxrss, kilobytes on Linux) and the versions used.
"""

import argparse
import gzip
import json
import os
import resource
import sys

import numpy as np

DEFAULT_DATA = "/usr/share/datasets/fashion-mnist"


def read_idx(path):
    """An IDX file (.gz or plain) as a numpy array of its shape."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise ValueError(f"{path}: not an IDX file")
    dtype = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[data[2]]
    rank = data[3]
    shape = tuple(int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(rank))
    array = np.frombuffer(data, dtype=dtype, offset=4 + 4 * rank)
    if array.size != int(np.prod(shape)):
        raise ValueError(f"{path}: {array.size} values, the header says {shape}")
    return array.reshape(shape)


def load(data_dir):
    """(x_train, y_train, x_test, y_test): images [n, 28, 28] float32 in [0, 1], labels int32."""
    def path(name):
        return os.path.join(data_dir, name)

    x_train = read_idx(path("train-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    y_train = read_idx(path("train-labels-idx1-ubyte.gz")).astype(np.int32)
    x_test = read_idx(path("t10k-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    y_test = read_idx(path("t10k-labels-idx1-ubyte.gz")).astype(np.int32)
    return x_train, y_train, x_test, y_test


def arguments(description):
    """The options every framework script takes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--model", choices=["mlp", "cnn"], required=True)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", default=DEFAULT_DATA)
    return parser.parse_args()


def emit(record):
    print(json.dumps(record), flush=True)


def epoch(framework, model, index, seconds, val_accuracy):
    emit({"benchmark": "epoch", "framework": framework, "model": model, "epoch": index,
          "seconds": seconds, "val_accuracy": float(val_accuracy)})


def summary(framework, args, epoch_seconds, val_accuracy, versions):
    emit({
        "benchmark": "summary",
        "framework": framework,
        "model": args.model,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "epoch_seconds": epoch_seconds,
        "val_accuracy": float(val_accuracy),
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "versions": dict(versions, python=sys.version.split()[0]),
    })
