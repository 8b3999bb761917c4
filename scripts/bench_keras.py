#!/usr/bin/env python3
"""Keras side of `npm run bench` (scripts/bench.mjs): the same workloads as scripts/bench_numpy.py
(DIR/index.json and DIR/<id>/manifest.json), rebuilt as a Keras model with the stored weights and
timed with `model.predict(X, batch_size=min(N, 1024), verbose=0)`: Keras's own float32 arithmetic,
TensorFlow's default threads. Warm-up and timed runs as bench_numpy.py. Outputs are saved as
DIR/<id>/keras_out<k>.npy so that the bench can report how far they are from ours.

    python3 scripts/bench_keras.py DIR [--warmup-ms 300] [--budget-ms 1500] [--min-runs 3] [--max-runs 200]

Prints one JSON object on stdout. Exit 3 when Keras is not importable (the bench then leaves the
column out), 1 on any other failure.
"""
import argparse
import json
import os
import statistics
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_numpy import time_runs  # noqa: E402  (same warm-up and run-count rule)

import numpy as np  # noqa: E402

ROLES = {"Dense": ["kernel", "bias"], "Embedding": ["embeddings"], "SimpleRNN": ["kernel", "recurrent_kernel", "bias"]}
ROLES["LSTM"] = ROLES["GRU"] = ROLES["SimpleRNN"]


def build_layer(keras, spec):
    cls, c = spec["class_name"], dict(spec["config"])
    if cls == "Bidirectional":
        fwd, bwd = spec["inner"]
        return keras.layers.Bidirectional(build_layer(keras, fwd), backward_layer=build_layer(keras, bwd), merge_mode=c.get("merge_mode", "concat"))
    if cls in ("SimpleRNN", "LSTM", "GRU", "Dense"):
        return getattr(keras.layers, cls)(**c)
    if cls == "Embedding":
        return None  # built with its weights' shape in weights_of
    if cls == "Dropout":
        return keras.layers.Dropout(0.0)
    raise ValueError(f"layer class {cls} is not rebuilt by bench_keras.py")


def weights_of(d, spec):
    if spec["class_name"] == "Bidirectional":
        return [w for inner in spec["inner"] for w in weights_of(d, inner)]
    files = spec.get("weights", {})
    return [np.load(os.path.join(d, files[r])) for r in ROLES.get(spec["class_name"], []) if r in files]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--warmup-ms", type=float, default=300.0)
    ap.add_argument("--budget-ms", type=float, default=1500.0)
    ap.add_argument("--min-runs", type=int, default=3)
    ap.add_argument("--max-runs", type=int, default=200)
    args = ap.parse_args()
    try:
        import keras  # noqa: F401
        import tensorflow as tf
    except Exception as e:  # noqa: BLE001
        print(f"bench_keras.py: Keras/TensorFlow not importable: {e}", file=sys.stderr)
        sys.exit(3)
    with open(os.path.join(args.dir, "index.json")) as f:
        index = json.load(f)
    results = []
    for wid in index["workloads"]:
        d = os.path.join(args.dir, wid)
        with open(os.path.join(d, "manifest.json")) as f:
            manifest = json.load(f)
        xs = [np.load(os.path.join(d, i["file"])) for i in manifest["inputs"]]
        x = xs[0]
        layers = []
        for spec in manifest["layers"]:
            if spec["class_name"] == "Embedding":
                v, e = weights_of(d, spec)[0].shape
                layers.append(keras.layers.Embedding(v, e))
            else:
                layers.append(build_layer(keras, spec))
        is_int = any(s["class_name"] == "Embedding" for s in manifest["layers"][:1])
        model = keras.Sequential([keras.Input(shape=x.shape[1:], dtype="int32" if is_int else "float32"), *layers])
        for layer, spec in zip(model.layers, manifest["layers"]):
            ws = weights_of(d, spec)
            if ws:
                layer.set_weights(ws)
        xin = x.astype(np.int32 if is_int else np.float32)
        bs = min(len(xin), 1024)
        out, warm, times = time_runs(lambda: model.predict(xin, batch_size=bs, verbose=0), args.warmup_ms, args.budget_ms, args.min_runs, args.max_runs)
        name = "keras_out0.npy"
        np.save(os.path.join(d, name), np.asarray(out, dtype=np.float64))
        results.append({"id": wid, "warmup_ms": warm, "runs_ms": times, "median_ms": statistics.median(times), "outputs": [name], "batch_size": bs})
    json.dump({"keras": keras.__version__, "tensorflow": tf.__version__, "threads": {"intra": tf.config.threading.get_intra_op_parallelism_threads(), "inter": tf.config.threading.get_inter_op_parallelism_threads()}, "workloads": results}, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    try:
        main()
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001
        print(f"bench_keras.py: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
