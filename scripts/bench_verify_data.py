#!/usr/bin/env python3
"""Inputs and expected predictions for the "verify at scale" section of `npm run bench`
(scripts/bench.mjs), never committed: for each N, DIR/X_<N>.npy = np.random.seed(0);
np.random.randn(N, T, D) and DIR/Y_<N>.npy = the notebooks' NumPy replay of the SimpleRNN → Dense
model MODEL (weights from Keras's model.get_weights()), computed in chunks, float32 as
model.predict writes them. Existing files are kept.

    python3 scripts/bench_verify_data.py DIR MODEL N [N ...]
"""
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def main():
    out, model_file, ns = sys.argv[1], sys.argv[2], [int(float(n)) for n in sys.argv[3:]]
    os.makedirs(out, exist_ok=True)
    todo = [n for n in ns if not (os.path.exists(os.path.join(out, f"X_{n}.npy")) and os.path.exists(os.path.join(out, f"Y_{n}.npy")))]
    if not todo:
        return
    import numpy as np
    import keras

    model = keras.saving.load_model(model_file, compile=False)
    Wx, Wh, bh, Wo, bo = [w.astype(np.float64) for w in model.get_weights()]
    T, D = model.input_shape[1], model.input_shape[2]
    for n in todo:
        np.random.seed(0)
        X = np.random.randn(n, T, D)
        np.save(os.path.join(out, f"X_{n}.npy"), X)
        Y = np.empty((n, Wo.shape[1]), dtype=np.float32)
        for s in range(0, n, 100_000):
            x = X[s : s + 100_000]
            h = np.zeros((len(x), Wh.shape[0]))
            for t in range(T):
                h = np.tanh(x[:, t] @ Wx + h @ Wh + bh)
            Y[s : s + len(x)] = h @ Wo + bo
        np.save(os.path.join(out, f"Y_{n}.npy"), Y)
        del X, Y


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001
        print(f"bench_verify_data.py: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
