#!/usr/bin/env python3
"""Writes the 1 GB model of `npm run bench` (scripts/bench.mjs, section "1 GB files"), never committed:
Embedding(2_000_000, 128) -> LSTM(256) -> Dense(10), 256.6 M parameters, saved by Keras 3 as

    DIR/big.keras          model.save (the zip Keras 3 writes by default; model.weights.h5 stored)
    DIR/big.weights.h5     model.save_weights
    DIR/big.h5             model.save in the legacy HDF5 format

The embedding is filled with a cheap deterministic pattern (not zeros, so that nothing can be
skipped as empty) without a second 1 GB copy. Skips files that already exist with DIR/done.json.

    python3 scripts/bench_big_model.py DIR
"""
import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    done = os.path.join(out, "done.json")
    names = ["big.keras", "big.weights.h5", "big.h5"]
    if os.path.exists(done) and all(os.path.exists(os.path.join(out, n)) for n in names):
        print(open(done).read())
        return
    import numpy as np
    import keras

    V, E, M, K = 2_000_000, 128, 256, 10
    model = keras.Sequential([keras.Input(shape=(None,), dtype="int32"), keras.layers.Embedding(V, E, embeddings_initializer="zeros"), keras.layers.LSTM(M), keras.layers.Dense(K)])
    emb = model.layers[0].embeddings
    w = np.empty((V, E), dtype=np.float32)
    w[:] = (np.arange(E, dtype=np.float32) - E / 2) * 1e-3
    w[:, 0] = (np.arange(V, dtype=np.float32) % 997) * 1e-4
    emb.assign(w)
    del w
    model.save(os.path.join(out, "big.keras"))
    model.save_weights(os.path.join(out, "big.weights.h5"))
    model.save(os.path.join(out, "big.h5"))
    info = {"params": int(model.count_params()), "keras": keras.__version__, "files": {n: os.path.getsize(os.path.join(out, n)) for n in names}}
    with open(done, "w") as f:
        json.dump(info, f)
    print(json.dumps(info))


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001
        print(f"bench_big_model.py: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
