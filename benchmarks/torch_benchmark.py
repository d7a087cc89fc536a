#!/usr/bin/env python3
"""PyTorch's side of scripts/benchmark: the same models, data and schedule as trainer's.

    python3 benchmarks/torch_benchmark.py --model mlp --epochs 5

The models of keras_benchmark.py, written as a PyTorch user writes a fast CPU loop (eager mode):
the whole data set as tensors in memory, one torch.randperm per epoch, batches taken by index
(no DataLoader workers, which only add copies for data already in memory), Glorot-uniform
weights and zero biases as Keras draws them, logits into cross_entropy (Keras's softmax plus
sparse categorical cross-entropy), Adam(1e-3) with its fused CPU kernel, running sums kept as
tensors (no .item() per step), validation under torch.inference_mode() with the same batch size,
torch's default threads (all cores). Convolutions in channels-first layout, PyTorch's own.

Each epoch (training, then validation) is timed with time.perf_counter, as trainer's EpochTimer
and the Keras side do. Output: the JSON lines of fashion_data.py.
"""

import time

import numpy as np
import torch
from torch import nn
import torch.nn.functional as F

import fashion_data


def build(name):
    if name == "mlp":
        model = nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 10))
    else:
        model = nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Dropout(0.5), nn.Linear(1600, 10))
    for layer in model:
        if isinstance(layer, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(layer.weight)
            nn.init.zeros_(layer.bias)
    return model


def main():
    args = fashion_data.arguments(__doc__.split("\n")[0])
    torch.manual_seed(args.seed)
    x_train, y_train, x_test, y_test = fashion_data.load(args.data_dir)
    shape = (1, 28, 28) if args.model == "cnn" else (28, 28)
    x_train = torch.from_numpy(np.ascontiguousarray(x_train.reshape(-1, *shape)))
    x_test = torch.from_numpy(np.ascontiguousarray(x_test.reshape(-1, *shape)))
    y_train = torch.from_numpy(y_train.astype(np.int64))
    y_test = torch.from_numpy(y_test.astype(np.int64))

    model = build(args.model)
    try:
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, fused=True)
    except (RuntimeError, TypeError):
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=True)

    n, b = len(x_train), args.batch_size
    seconds = []
    val_accuracy = float("nan")
    for index in range(args.epochs):
        started = time.perf_counter()
        model.train()
        order = torch.randperm(n)
        loss_sum = torch.zeros(())
        correct = torch.zeros((), dtype=torch.int64)
        for start in range(0, n, b):
            batch = order[start:start + b]
            x, y = x_train[batch], y_train[batch]
            logits = model(x)
            loss = F.cross_entropy(logits, y)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            with torch.no_grad():
                loss_sum += loss.detach() * len(batch)
                correct += (logits.argmax(1) == y).sum()
        model.eval()
        val_correct = 0
        val_loss = 0.0
        with torch.inference_mode():
            for start in range(0, len(x_test), b):
                x, y = x_test[start:start + b], y_test[start:start + b]
                logits = model(x)
                val_loss += float(F.cross_entropy(logits, y, reduction="sum"))
                val_correct += int((logits.argmax(1) == y).sum())
        val_accuracy = val_correct / len(x_test)
        seconds.append(time.perf_counter() - started)
        print(f"epoch {index + 1}: loss {float(loss_sum) / n:.4f} accuracy {int(correct) / n:.4f} "
              f"val_loss {val_loss / len(x_test):.4f} val_accuracy {val_accuracy:.4f} {seconds[-1]:.2f}s", flush=True)
        fashion_data.epoch("torch", args.model, index, seconds[-1], val_accuracy)

    fashion_data.summary("torch", args, seconds, val_accuracy,
                         {"torch": torch.__version__, "threads": torch.get_num_threads()})


if __name__ == "__main__":
    main()
