#!/usr/bin/env python3
"""JAX's side of scripts/benchmark: the same models, data and schedule as trainer's.

    python3 benchmarks/jax_benchmark.py --model mlp --epochs 5

The models of keras_benchmark.py in Flax (linen) with Optax's Adam(1e-3), written as a JAX user
writes a fast CPU loop: the data set on the device once, and each epoch's training as one
jit-compiled function: the permutation, then lax.scan over the jit-traced step (gather the
batch, forward, backward, Adam update, running sums), with the parameter and optimizer buffers
donated so they are updated in place; validation likewise a compiled scan over the batches.
No Python runs between steps. Glorot-uniform
weights and zero biases (Flax's and Keras's defaults), softmax cross-entropy on the logits,
channels-last convolutions as Keras has them. The validation data's last, smaller batch is its
own compiled shape, as in Keras; batch 32 divides the 60000 training images.

Each epoch (training, then validation) is timed with time.perf_counter after blocking on the
results. The first epoch includes the compilation of both steps; the summary's
"first_epoch_seconds" is that epoch, and scripts/benchmark shows it apart (its medians skip it).
Output: the JSON lines of fashion_data.py.
"""

import functools
import time

import numpy as np

import fashion_data


def main():
    args = fashion_data.arguments(__doc__.split("\n")[0])
    import jax
    import jax.numpy as jnp
    import flax
    import flax.linen as nn
    import optax

    class MLP(nn.Module):
        @nn.compact
        def __call__(self, x, train):
            x = x.reshape((x.shape[0], -1))
            x = nn.relu(nn.Dense(128)(x))
            return nn.Dense(10)(x)

    class CNN(nn.Module):
        @nn.compact
        def __call__(self, x, train):
            x = nn.relu(nn.Conv(32, (3, 3), padding="VALID")(x))
            x = nn.max_pool(x, (2, 2), strides=(2, 2))
            x = nn.relu(nn.Conv(64, (3, 3), padding="VALID")(x))
            x = nn.max_pool(x, (2, 2), strides=(2, 2))
            x = x.reshape((x.shape[0], -1))
            x = nn.Dropout(0.5, deterministic=not train)(x)
            return nn.Dense(10)(x)

    x_train, y_train, x_test, y_test = fashion_data.load(args.data_dir)
    if args.model == "cnn":
        x_train, x_test = x_train[..., None], x_test[..., None]
    x_train, y_train = jax.device_put(x_train), jax.device_put(y_train)
    x_test, y_test = jax.device_put(x_test), jax.device_put(y_test)

    model = MLP() if args.model == "mlp" else CNN()
    key = jax.random.PRNGKey(args.seed)
    key, init_key = jax.random.split(key)
    params = model.init(init_key, x_train[:1], train=False)["params"]
    optimizer = optax.adam(1e-3)
    opt_state = optimizer.init(params)

    def train_step(carry, batch):
        params, opt_state, sums, key = carry
        key, dropout_key = jax.random.split(key)
        x, y = x_train[batch], y_train[batch]

        def loss_fn(p):
            logits = model.apply({"params": p}, x, train=True, rngs={"dropout": dropout_key})
            return optax.softmax_cross_entropy_with_integer_labels(logits, y).mean(), logits
        (loss, logits), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
        updates, opt_state = optimizer.update(grads, opt_state, params)
        params = optax.apply_updates(params, updates)
        correct = jnp.sum(jnp.argmax(logits, -1) == y)
        return (params, opt_state, sums + jnp.array([loss * x.shape[0], correct]), key), None

    @functools.partial(jax.jit, donate_argnums=(0, 1))
    def train_epoch(params, opt_state, key):
        """Every full batch of one shuffled epoch, one compiled loop (lax.scan over the steps)."""
        key, order_key = jax.random.split(key)
        order = jax.random.permutation(order_key, n)[:full].reshape(-1, b)
        (params, opt_state, sums, key), _ = jax.lax.scan(train_step, (params, opt_state, jnp.zeros(2), key), order)
        return params, opt_state, sums, key

    @jax.jit
    def eval_batches(params, x, y):
        """Loss and correct count summed over batches [steps, b, ...] (one compiled loop)."""
        def step(total, batch):
            logits = model.apply({"params": params}, batch[0], train=False)
            loss = optax.softmax_cross_entropy_with_integer_labels(logits, batch[1]).sum()
            return total + jnp.array([loss, jnp.sum(jnp.argmax(logits, -1) == batch[1])]), None
        total, _ = jax.lax.scan(step, jnp.zeros(2), (x, y))
        return total

    n, b = x_train.shape[0], args.batch_size
    full = (n // b) * b  # a last partial batch is left out (60000 = 1875 x 32)
    m = x_test.shape[0]
    val_full = (m // b) * b
    x_val_batches = x_test[:val_full].reshape(-1, b, *x_test.shape[1:])
    y_val_batches = y_test[:val_full].reshape(-1, b)
    x_val_rest, y_val_rest = x_test[val_full:][None], y_test[val_full:][None]
    seconds = []
    val_accuracy = float("nan")
    for index in range(args.epochs):
        started = time.perf_counter()
        params, opt_state, sums, key = train_epoch(params, opt_state, key)
        val = eval_batches(params, x_val_batches, y_val_batches)
        if m > val_full:
            val = val + eval_batches(params, x_val_rest, y_val_rest)
        sums, val = np.asarray(jax.block_until_ready(sums)), np.asarray(jax.block_until_ready(val))
        seconds.append(time.perf_counter() - started)
        val_accuracy = float(val[1]) / x_test.shape[0]
        print(f"epoch {index + 1}: loss {sums[0] / full:.4f} accuracy {sums[1] / full:.4f} "
              f"val_loss {val[0] / x_test.shape[0]:.4f} val_accuracy {val_accuracy:.4f} {seconds[-1]:.2f}s", flush=True)
        fashion_data.epoch("jax", args.model, index, seconds[-1], val_accuracy)

    fashion_data.summary("jax", args, seconds, val_accuracy,
                         {"jax": jax.__version__, "flax": flax.__version__, "optax": optax.__version__,
                          "first_epoch_seconds": seconds[0]})


if __name__ == "__main__":
    main()
