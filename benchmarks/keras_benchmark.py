#!/usr/bin/env python3
"""Keras's side of scripts/benchmark: the same models, data and schedule as trainer's.

    python3 benchmarks/keras_benchmark.py --model mlp --epochs 5

Models (as examples/fashion-mlp.toml and examples/fashion-cnn.toml):
  mlp  Flatten, Dense(128, relu), Dense(10, softmax)
  cnn  Conv2D(32, 3, relu), MaxPooling2D(2), Conv2D(64, 3, relu), MaxPooling2D(2), Flatten,
       Dropout(0.5), Dense(10, softmax)
Data: Fashion-MNIST's IDX .gz files, read with gzip + numpy, scaled by 1/255; training on the
60000 training images, validation on the 10000 test images. Adam(1e-3), sparse categorical
cross-entropy, accuracy, batch 32, shuffled every epoch, verbose=2.

Each epoch is timed with time.perf_counter from on_epoch_begin to on_epoch_end (training and
validation), the interval trainer's EpochTimer plugin measures. Peak RSS is
resource.getrusage(RUSAGE_SELF).ru_maxrss (kilobytes on Linux).

Output: Keras's own lines, plus one JSON object per line that starts with
{"keras_benchmark": ...}: one per epoch ("epoch") and a last one ("summary").
"""

import argparse
import gzip
import json
import os
import resource
import sys
import time

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
    def path(name):
        return os.path.join(data_dir, name)

    x_train = read_idx(path("train-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    y_train = read_idx(path("train-labels-idx1-ubyte.gz")).astype(np.int32)
    x_test = read_idx(path("t10k-images-idx3-ubyte.gz")).astype(np.float32) / 255.0
    y_test = read_idx(path("t10k-labels-idx1-ubyte.gz")).astype(np.int32)
    return x_train, y_train, x_test, y_test


def build(keras, name):
    layers = keras.layers
    if name == "mlp":
        return keras.Sequential([
            keras.Input(shape=(28, 28)),
            layers.Flatten(),
            layers.Dense(128, activation="relu"),
            layers.Dense(10, activation="softmax"),
        ])
    return keras.Sequential([
        keras.Input(shape=(28, 28, 1)),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ])


def emit(record):
    print(json.dumps(record), flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=["mlp", "cnn"], required=True)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--data-dir", default=DEFAULT_DATA)
    args = parser.parse_args()

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras  # after the environment is set: TensorFlow reads it when it loads

    keras.utils.set_random_seed(args.seed)
    x_train, y_train, x_test, y_test = load(args.data_dir)
    if args.model == "cnn":
        x_train = x_train[..., np.newaxis]
        x_test = x_test[..., np.newaxis]

    model = build(keras, args.model)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])

    class EpochTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []
            self.started = 0.0

        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            seconds = time.perf_counter() - self.started
            self.seconds.append(seconds)
            emit({"keras_benchmark": "epoch", "model": args.model, "epoch": epoch, "seconds": seconds,
                  "val_accuracy": float((logs or {}).get("val_accuracy", float("nan")))})

    timer = EpochTimer()
    started = time.perf_counter()
    history = model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
                        validation_data=(x_test, y_test), shuffle=True, verbose=2,
                        callbacks=[timer])
    fit_seconds = time.perf_counter() - started

    import tensorflow as tf
    emit({
        "keras_benchmark": "summary",
        "model": args.model,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "epoch_seconds": timer.seconds,
        "fit_seconds": fit_seconds,
        "val_accuracy": float(history.history["val_accuracy"][-1]),
        "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
        "keras": keras.__version__,
        "backend": keras.backend.backend(),
        "tensorflow": tf.__version__,
        "python": sys.version.split()[0],
    })


if __name__ == "__main__":
    main()
