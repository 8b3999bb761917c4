#!/usr/bin/env python3
"""Independent NumPy check of generated fixtures: replay the forward pass by hand
(the notebook's loop, generalised to LSTM/GRU) from get_weights() of the saved
model and compare with the stored Keras predictions Y.npy.

    /root/tfvenv/bin/python scripts/fixtures_verify.py
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fixtures_common import KERAS_DIR, EXAMPLES, JSON_DIR, CORPUS_OUT, CORPUS_IN  # noqa: E402

import json  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


ACT = {
    "tanh": np.tanh, "relu": lambda x: np.maximum(x, 0), "sigmoid": sigmoid, "linear": lambda x: x,
    "hard_sigmoid": lambda x: np.clip(x / 6 + 0.5, 0, 1), "softsign": lambda x: x / (1 + np.abs(x)),
    "softplus": lambda x: np.log1p(np.exp(x)), "elu": lambda x: np.where(x > 0, x, np.expm1(x)),
    "exponential": np.exp, "relu6": lambda x: np.clip(x, 0, 6),
    "swish": lambda x: x * sigmoid(x), "silu": lambda x: x * sigmoid(x),
    "keras2_hard_sigmoid": lambda x: np.clip(0.2 * x + 0.5, 0, 1),
}


def simple_rnn(x, W, U, b, act="tanh", seq=False, backwards=False):
    N, T, _ = x.shape
    h = np.zeros((N, U.shape[0]))
    hs = []
    steps = range(T - 1, -1, -1) if backwards else range(T)
    for t in steps:
        h = ACT[act](x[:, t] @ W + h @ U + (0 if b is None else b))
        hs.append(h)
    return np.stack(hs, 1) if seq else h


def lstm(x, W, U, b, act="tanh", ract="sigmoid", seq=False):
    N, T, _ = x.shape
    M = U.shape[0]
    h = np.zeros((N, M)); c = np.zeros((N, M)); hs = []
    for t in range(T):
        z = x[:, t] @ W + h @ U + b
        i, f, g, o = (z[:, k * M:(k + 1) * M] for k in range(4))
        i, f, o = ACT[ract](i), ACT[ract](f), ACT[ract](o)
        c = f * c + i * ACT[act](g)
        h = o * ACT[act](c)
        hs.append(h)
    return (np.stack(hs, 1) if seq else h), h, c


def gru(x, W, U, b, reset_after=True, seq=False, ract="sigmoid"):
    sigmoid = ACT[ract]
    N, T, _ = x.shape
    M = U.shape[0]
    h = np.zeros((N, M)); hs = []
    bi, br = (b[0], b[1]) if reset_after else (b, np.zeros(3 * M))
    for t in range(T):
        xz = x[:, t] @ W + bi
        if reset_after:
            hz = h @ U + br
            z = sigmoid(xz[:, :M] + hz[:, :M]); r = sigmoid(xz[:, M:2 * M] + hz[:, M:2 * M])
            hh = np.tanh(xz[:, 2 * M:] + r * hz[:, 2 * M:])
        else:
            z = sigmoid(xz[:, :M] + h @ U[:, :M]); r = sigmoid(xz[:, M:2 * M] + h @ U[:, M:2 * M])
            hh = np.tanh(xz[:, 2 * M:] + (r * h) @ U[:, 2 * M:])
        h = z * h + (1 - z) * hh
        hs.append(h)
    return (np.stack(hs, 1) if seq else h), h


def check(name, got, want, tol=1e-5):
    err = float(np.max(np.abs(np.asarray(got, dtype=np.float64) - want)))
    ok = err <= tol
    print(f"{'ok  ' if ok else 'FAIL'} {name}: max|manual - keras| = {err:.3g}")
    return ok


def corpus_checks():
    """Replay a few corpus files straight from their raw HDF5 tensors (h5py, no Keras)."""
    import h5py
    res = []
    co = lambda f, n: np.load(os.path.join(CORPUS_OUT, f, n)).astype(np.float64) if n != "X.npy" else \
        np.load(os.path.join(CORPUS_OUT, f, n))
    f = "mandoohi__AIReporter__rnn.h5"
    if os.path.isdir(os.path.join(CORPUS_OUT, f)):
        with h5py.File(os.path.join(CORPUS_IN, f)) as h:
            g = h["model_weights"]
            E = g["embedding/embedding/embeddings:0"][()]
            c = g["simple_rnn/simple_rnn/simple_rnn_cell"]
            W, U, b = c["kernel:0"][()], c["recurrent_kernel:0"][()], c["bias:0"][()]
        res.append(check("corpus " + f, simple_rnn(E[co(f, "X.npy")], W, U, b), co(f, "Y.npy")))
    f = "FrownyFace__NN__lstm_weights.h5"
    if os.path.isdir(os.path.join(CORPUS_OUT, f)):
        with h5py.File(os.path.join(CORPUS_IN, f)) as h:
            x = co(f, "X.npy").astype(np.float64)
            for k, seq in ((1, True), (2, True), (3, False)):
                g = h[f"lstm_{k}"]
                t = lambda n: g[f"lstm_{k}_{n}"][()]
                W = np.concatenate([t("W_i"), t("W_f"), t("W_c"), t("W_o")], 1)
                U = np.concatenate([t("U_i"), t("U_f"), t("U_c"), t("U_o")], 1)
                b = np.concatenate([t("b_i"), t("b_f"), t("b_c"), t("b_o")])
                x = lstm(x, W, U, b, ract="keras2_hard_sigmoid", seq=seq)[0]
            y = x @ h["dense_1/dense_1_W"][()] + h["dense_1/dense_1_b"][()]
        res.append(check("corpus " + f + " (Keras 1 hard_sigmoid)", y, co(f, "Y_keras2_hard_sigmoid.npy")))
    f = "moskalyk__aind2-nlp-capstone__simple_rnn_model.h5"
    if os.path.isdir(os.path.join(CORPUS_OUT, f)):
        with h5py.File(os.path.join(CORPUS_IN, f)) as h:
            g = h["model_weights"]
            W, U, b = (g[f"gru_2/gru_2/{n}:0"][()] for n in ("kernel", "recurrent_kernel", "bias"))
            Wd, bd = g["time_distributed_2/time_distributed_2/kernel:0"][()], g["time_distributed_2/time_distributed_2/bias:0"][()]
        x = co(f, "X.npy").astype(np.float64)
        for ract, yname in (("hard_sigmoid", "Y.npy"), ("keras2_hard_sigmoid", "Y_keras2_hard_sigmoid.npy")):
            z = gru(x, W, U, b, reset_after=False, seq=True, ract=ract)[0] @ Wd + bd
            z = np.exp(z - z.max(-1, keepdims=True)); z /= z.sum(-1, keepdims=True)
            res.append(check(f"corpus {f} ({ract})", z, co(f, yname)))
    return res


def main():
    results = []
    K = lambda c: keras.models.load_model(os.path.join(KERAS_DIR, c, "model.keras"), compile=False)
    ld = lambda c, f: np.load(os.path.join(KERAS_DIR, c, f)).astype(np.float64)

    # The notebook loop, literally (one sample at a time), for the seed cases.
    for c in ("seed_n1", "seed_n15", "sequential_seed"):
        m = K(c)
        Wx, Wh, bh = m.layers[-2].get_weights()
        Wo, bo = m.layers[-1].get_weights()
        X, Y = ld(c, "X.npy"), ld(c, "Y.npy")
        out = []
        for n in range(X.shape[0]):
            h_last = np.zeros(Wh.shape[0])
            for t in range(X.shape[1]):
                h = np.tanh(X[n, t].dot(Wx) + h_last.dot(Wh) + bh)
                y = h.dot(Wo) + bo
                h_last = h
            out.append(y)
        results.append(check(c + " (notebook loop)", np.array(out), Y))

    m = K("relu_state"); W, U, b = m.get_weights()
    h = simple_rnn(ld("relu_state", "X.npy"), W, U, b, "relu")
    results.append(check("relu_state output", h, ld("relu_state", "Y0.npy")))
    results.append(check("relu_state state", h, ld("relu_state", "Y1.npy")))

    for act in ACT:
        c = "act_" + act
        if not os.path.isdir(os.path.join(KERAS_DIR, c)):
            continue
        W, U, b, Wo, bo = K(c).get_weights()
        results.append(check(c, simple_rnn(ld(c, "X.npy"), W, U, b, act) @ Wo + bo, ld(c, "Y.npy")))

    W, U, Wo = K("no_bias").get_weights()
    results.append(check("no_bias", simple_rnn(ld("no_bias", "X.npy"), W, U, None) @ Wo, ld("no_bias", "Y.npy")))

    W, U, b = K("go_backwards_seq").get_weights()
    results.append(check("go_backwards_seq", simple_rnn(ld("go_backwards_seq", "X.npy"), W, U, b, seq=True,
                                                        backwards=True), ld("go_backwards_seq", "Y.npy")))
    W1, U1, b1, W2, U2, b2, Wo, bo = K("stacked").get_weights()
    z = simple_rnn(simple_rnn(ld("stacked", "X.npy"), W1, U1, b1, seq=True), W2, U2, b2) @ Wo + bo
    z = np.exp(z - z.max(1, keepdims=True)); z /= z.sum(1, keepdims=True)
    results.append(check("stacked", z, ld("stacked", "Y.npy")))

    W, U, b, Wo, bo = K("lstm").get_weights()
    results.append(check("lstm", lstm(ld("lstm", "X.npy"), W, U, b)[0] @ Wo + bo, ld("lstm", "Y.npy")))
    W, U, b = K("lstm_seq_state").get_weights()
    s, h, cc = lstm(ld("lstm_seq_state", "X.npy"), W, U, b, seq=True)
    for k, v in enumerate((s, h, cc)):
        results.append(check(f"lstm_seq_state Y{k}", v, ld("lstm_seq_state", f"Y{k}.npy")))
    W, U, b, Wo, bo = K("lstm_hard_sigmoid").get_weights()
    results.append(check("lstm_hard_sigmoid", lstm(ld("lstm_hard_sigmoid", "X.npy"), W, U, b, "relu",
                                                   "hard_sigmoid")[0] @ Wo + bo, ld("lstm_hard_sigmoid", "Y.npy")))
    W, U, b, Wo, bo = K("gru").get_weights()
    results.append(check("gru", gru(ld("gru", "X.npy"), W, U, b)[0] @ Wo + bo, ld("gru", "Y.npy")))
    W, U, b, Wo, bo = K("gru_reset_before").get_weights()
    results.append(check("gru_reset_before", gru(ld("gru_reset_before", "X.npy"), W, U, b, False)[0] @ Wo + bo,
                         ld("gru_reset_before", "Y.npy")))

    # JSON dump: the notebook loop on notebook_dump.json + seed_n15 X/Y.
    p = os.path.join(JSON_DIR, "notebook_dump.json")
    if os.path.exists(p):
        d = {k: np.array(v) for k, v in json.load(open(p)).items()}
        h = simple_rnn(ld("seed_n15", "X.npy"), d["Wx"], d["Wh"], d["bh"])
        results.append(check("json/notebook_dump.json", h @ d["Wo"] + d["bo"], ld("seed_n15", "Y.npy")))
    # TF.js fixtures: rebuilt from model.json + shard, Keras re-predicts the stored Y.
    from fixtures_corpus import load_tfjs
    for c in ("tfjs_seed_n15", "tfjs_bidir_concat"):
        d = os.path.join(JSON_DIR, c)
        if os.path.isdir(d):
            m = load_tfjs(d)[0]
            results.append(check(f"json/{c} (model.json + shard)", m.predict(np.load(os.path.join(d, "X.npy")), verbose=0),
                                 np.load(os.path.join(d, "Y.npy"))))
    results += corpus_checks()
    print(f"{sum(results)}/{len(results)} checks passed")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
