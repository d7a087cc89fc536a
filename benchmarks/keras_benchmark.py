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
validation), the interval trainer's EpochTimer plugin measures.

Output: Keras's own lines, plus the JSON lines of fashion_data.py.
"""

import os
import time

import numpy as np

import fashion_data


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


def main():
    args = fashion_data.arguments(__doc__.split("\n")[0])

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras  # after the environment is set: TensorFlow reads it when it loads

    keras.utils.set_random_seed(args.seed)
    x_train, y_train, x_test, y_test = fashion_data.load(args.data_dir)
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
            fashion_data.epoch("keras", args.model, epoch, seconds, (logs or {}).get("val_accuracy", float("nan")))

    timer = EpochTimer()
    history = model.fit(x_train, y_train, batch_size=args.batch_size, epochs=args.epochs,
                        validation_data=(x_test, y_test), shuffle=True, verbose=2,
                        callbacks=[timer])

    import tensorflow as tf
    fashion_data.summary("keras", args, timer.seconds, history.history["val_accuracy"][-1],
                         {"keras": keras.__version__, "backend": keras.backend.backend(), "tensorflow": tf.__version__})


if __name__ == "__main__":
    main()
