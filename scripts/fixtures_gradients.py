"""Section G of scripts/make_fixtures.py: gradients of a loss over small Keras models, computed by
TensorFlow's GradientTape in float64, for the by-hand backward pass (test/fixtures/gradients/).

Each case is built twice with the same layer names: once in float32 (the files a user has:
model.h5, model.keras, model.rnn.json) and once with keras.config.set_floatx("float64"), into
which the float32 weights are copied exactly. Inputs and targets are float32 values too, so the
float64 model sees exactly the numbers the files hold, and TF's gradients are float64-exact.

Per case, test/fixtures/gradients/<case>/:
    model.h5, model.keras, model.rnn.json   the float32 model (RNN Inspector JSON: config + weights)
    X.npy or X0.npy, X1.npy, ...            inputs (float32; int32 for Embedding models)
    T.npy or T0.npy, ...                    targets (float32; int32 for sparse categorical)
    gradients.json                          {loss, loss_value, outputs, gradients: [{path, shape, data}]}
                                            in model.trainable_weights order, float64 values
"""
import json
import os

import numpy as np
import keras
import tensorflow as tf

from fixtures_common import FIX, KERAS_VERSION, TF_VERSION, fresh, reset_dir, write_json, as_list

OUT = os.path.join(FIX, "gradients")
L = keras.layers
N, T, D = 3, 5, 3


def seq_in(t=T, d=D):
    return keras.Input((t, d))


def srnn(act):
    def build():
        i = seq_in()
        h = L.SimpleRNN(4, activation=act)(i)
        return keras.Model(i, L.Dense(2)(h)), "mse"
    return build


def simple(*layers, inp=None, loss="mse"):
    def build():
        i = inp() if inp else seq_in()
        x = i
        for mk in layers:
            x = mk()(x)
        return keras.Model(i, x), loss
    return build


def bidir(mode, cell=L.SimpleRNN, seq=False):
    def build():
        i = seq_in()
        b = L.Bidirectional(cell(3, return_sequences=seq), merge_mode=mode)(i)
        if mode is None:
            b = L.Concatenate()(b)
        if seq:
            b = L.Flatten()(b)
        return keras.Model(i, L.Dense(2)(b)), "mse"
    return build


def masked(cell, seq, bi=False):
    # Sequential: a functional Keras 3 model records Masking's mask ops (NotEqual, Any) as layers.
    def build():
        r = cell(4, return_sequences=seq)
        return keras.Sequential([seq_in(), L.Masking(mask_value=0.0), L.Bidirectional(r) if bi else r,
                                 L.Dense(2)]), "mse"
    return build


def return_state():
    i = seq_in()
    y, h = L.SimpleRNN(4, return_sequences=True, return_state=True)(i)
    a = L.Dense(2)(L.Flatten()(y))
    return keras.Model(i, L.Concatenate()([a, L.Dense(2)(h)])), "mse"


def lstm_return_state():
    i = seq_in()
    y, h, c = L.LSTM(3, return_state=True)(i)
    return keras.Model(i, L.Dense(2)(L.Concatenate()([y, h, c]))), "mse"


def two_outputs():
    i = seq_in()
    h = L.GRU(4, return_sequences=True)(i)
    a = L.TimeDistributed(L.Dense(2))(h)
    b = L.Dense(1)(L.GRU(3)(h))
    return keras.Model(i, [a, b]), "mse"


def embedding(mask_zero, loss="sparse_categorical_crossentropy"):
    def build():
        return keras.Sequential([keras.Input((T,), dtype="int32"), L.Embedding(7, 3, mask_zero=mask_zero), L.GRU(4),
                                 L.Dense(3, activation="softmax")]), loss
    return build


def encoder_decoder():
    i = seq_in()
    x = L.LSTM(4)(i)
    x = L.RepeatVector(3)(x)
    x = L.LSTM(3, return_sequences=True)(x)
    return keras.Model(i, L.TimeDistributed(L.Dense(2))(x)), "mse"


ACTS = ["tanh", "relu", "sigmoid", "hard_sigmoid", "linear", "softsign", "softplus", "elu", "selu",
        "gelu", "swish", "exponential", "relu6", "hard_silu", "leaky_relu", "mish", "log_sigmoid",
        "hard_tanh", "celu", "tanh_shrink", "squareplus", "sparse_plus", "sparse_sigmoid",
        "soft_shrink", "hard_shrink", "softmax", "log_softmax", "sparsemax"]

CASES = {
    "srnn": srnn("tanh"),
    **{f"srnn_{a}": srnn(a) for a in ACTS if a != "tanh"},
    "srnn_no_bias": simple(lambda: L.SimpleRNN(4, use_bias=False), lambda: L.Dense(2)),
    "srnn_seq_td": simple(lambda: L.SimpleRNN(4, return_sequences=True), lambda: L.TimeDistributed(L.Dense(2))),
    "srnn_seq_dense3d": simple(lambda: L.SimpleRNN(4, return_sequences=True), lambda: L.Dense(2)),
    "srnn_go_backwards": simple(lambda: L.SimpleRNN(4, go_backwards=True), lambda: L.Dense(2)),
    "srnn_go_backwards_seq": simple(lambda: L.SimpleRNN(4, go_backwards=True, return_sequences=True),
                                    lambda: L.TimeDistributed(L.Dense(2))),
    "srnn_stacked": simple(lambda: L.SimpleRNN(4, return_sequences=True), lambda: L.Dropout(0.3),
                           lambda: L.SimpleRNN(3), lambda: L.Dense(2)),
    "srnn_return_state": return_state,
    "lstm": simple(lambda: L.LSTM(4), lambda: L.Dense(2)),
    "lstm_seq": simple(lambda: L.LSTM(3, return_sequences=True), lambda: L.TimeDistributed(L.Dense(2))),
    "lstm_stacked": simple(lambda: L.LSTM(4, return_sequences=True), lambda: L.LSTM(3), lambda: L.Dense(2)),
    "lstm_go_backwards": simple(lambda: L.LSTM(4, go_backwards=True), lambda: L.Dense(2)),
    "lstm_no_bias": simple(lambda: L.LSTM(3, use_bias=False), lambda: L.Dense(2)),
    "lstm_acts": simple(lambda: L.LSTM(3, activation="softsign", recurrent_activation="hard_sigmoid"),
                        lambda: L.Dense(2)),
    "lstm_return_state": lstm_return_state,
    "gru": simple(lambda: L.GRU(4), lambda: L.Dense(2)),
    "gru_reset_before": simple(lambda: L.GRU(4, reset_after=False), lambda: L.Dense(2)),
    "gru_seq": simple(lambda: L.GRU(3, return_sequences=True), lambda: L.TimeDistributed(L.Dense(2))),
    "gru_reset_before_seq": simple(lambda: L.GRU(3, reset_after=False, return_sequences=True),
                                   lambda: L.Flatten(), lambda: L.Dense(2)),
    "gru_go_backwards": simple(lambda: L.GRU(3, go_backwards=True, reset_after=False), lambda: L.Dense(2)),
    "gru_no_bias": simple(lambda: L.GRU(3, use_bias=False), lambda: L.Dense(2)),
    "gru_two_outputs": two_outputs,
    "bidir_concat": bidir("concat"),
    "bidir_sum": bidir("sum"),
    "bidir_mul": bidir("mul"),
    "bidir_ave": bidir("ave"),
    "bidir_none": bidir(None),
    "bidir_concat_seq": bidir("concat", seq=True),
    "bidir_mul_seq": bidir("mul", seq=True),
    "bidir_lstm": bidir("concat", cell=L.LSTM),
    "bidir_gru_seq": bidir("ave", cell=L.GRU, seq=True),
    "masked_srnn": masked(L.SimpleRNN, False),
    "masked_lstm_seq": masked(L.LSTM, True),
    "masked_gru": masked(L.GRU, False),
    "masked_bidir_seq": masked(L.LSTM, True, bi=True),
    "masked_bidir": masked(L.GRU, False, bi=True),
    "embedding_sparse": embedding(False),
    "embedding_mask_zero": embedding(True),
    "embedding_cce": embedding(False, loss="categorical_crossentropy"),
    "softmax_cce": simple(lambda: L.SimpleRNN(4), lambda: L.Dense(3, activation="softmax"),
                          loss="categorical_crossentropy"),
    "activation_softmax_cce": simple(lambda: L.LSTM(4), lambda: L.Dense(3), lambda: L.Activation("softmax"),
                                     loss="categorical_crossentropy"),
    "td_softmax_cce": simple(lambda: L.GRU(4, return_sequences=True),
                             lambda: L.TimeDistributed(L.Dense(3, activation="softmax")),
                             loss="categorical_crossentropy"),
    "td_softmax_sparse": simple(lambda: L.SimpleRNN(4, return_sequences=True),
                                lambda: L.TimeDistributed(L.Dense(3, activation="softmax")),
                                loss="sparse_categorical_crossentropy"),
    "sigmoid_bce": simple(lambda: L.LSTM(4), lambda: L.Dense(2, activation="sigmoid"), loss="binary_crossentropy"),
    "td_sigmoid_bce": simple(lambda: L.SimpleRNN(4, return_sequences=True),
                             lambda: L.TimeDistributed(L.Dense(1, activation="sigmoid")),
                             loss="binary_crossentropy"),
    "encoder_decoder": encoder_decoder,
    "dense_relu_head": simple(lambda: L.GRU(4), lambda: L.Dense(5, activation="relu"), lambda: L.Dense(2)),
}

# Smaller weights where the default ones overflow (exp of exp of ... in float64).
SCALE = {"srnn_exponential": 0.15}

LOSSES = {
    "mse": lambda: keras.losses.MeanSquaredError(dtype="float64"),
    "categorical_crossentropy": lambda: keras.losses.CategoricalCrossentropy(dtype="float64"),
    "binary_crossentropy": lambda: keras.losses.BinaryCrossentropy(dtype="float64"),
    "sparse_categorical_crossentropy": lambda: keras.losses.SparseCategoricalCrossentropy(dtype="float64"),
}


def _inputs(model, rng):
    xs = []
    for inp in model.inputs:
        shape = [N] + [int(d) for d in inp.shape[1:]]
        if "int" in str(inp.dtype):
            xs.append(rng.randint(0, 7, size=shape).astype("int32"))
        else:
            xs.append(rng.randn(*shape).astype("float32"))
    return xs


def _targets(outputs, loss, rng):
    ts = []
    for y in outputs:
        shape = list(y.shape)
        if loss == "mse":
            ts.append(rng.randn(*shape).astype("float32"))
        elif loss == "binary_crossentropy":
            ts.append(rng.randint(0, 2, size=shape).astype("float32"))
        elif loss == "categorical_crossentropy":
            ts.append(np.eye(shape[-1], dtype="float32")[rng.randint(0, shape[-1], size=shape[:-1])])
        else:
            ts.append(rng.randint(0, shape[-1], size=shape[:-1]).astype("int32"))
    return ts


def _build(builder, seed, floatx):
    keras.config.set_floatx(floatx)
    fresh(seed)
    return builder()


def make_case(name, seed):
    builder = CASES[name]
    try:
        m32, loss = _build(builder, seed, "float32")
        m64, _ = _build(builder, seed, "float64")
    finally:
        keras.config.set_floatx("float32")
    rng = np.random.RandomState(seed)
    scale = SCALE.get(name, 0.5)
    weights = [np.asarray(rng.randn(*[int(d) for d in w.shape]) * scale, dtype="float32") for w in m32.weights]
    m32.set_weights(weights)
    m64.set_weights([w.astype("float64") for w in weights])
    X = _inputs(m32, rng)
    if name.startswith("masked"):
        # Zero the tail of some sequences so the Masking layer masks steps (padding, as users have it).
        X[0][0, 3:] = 0.0
        X[0][2, 1:] = 0.0
        X[0][1, 0] = 0.0
    if name == "embedding_mask_zero":
        X[0][0, 2:] = 0
        X[0][1, 0] = 0
    feed64 = [tf.constant(x.astype("float64") if x.dtype.kind == "f" else x) for x in X]
    Y = as_list(m64(feed64 if len(feed64) > 1 else feed64[0], training=False))
    Tg = _targets(Y, loss, rng)
    loss_fn = LOSSES[loss]()
    with tf.GradientTape() as tape:
        Y = as_list(m64(feed64 if len(feed64) > 1 else feed64[0], training=False))
        total = 0.0
        for t, y in zip(Tg, Y):
            t64 = tf.constant(t.astype("float64") if t.dtype.kind == "f" else t)
            total = total + loss_fn(t64, y)
    grads = tape.gradient(total, m64.trainable_weights)
    assert all(g.dtype == tf.float64 for g in grads), f"{name}: TF did not compute in float64"
    # The float32 model must give the same outputs (up to float32) as the float64 one.
    Y32 = as_list(m32(X if len(X) > 1 else X[0], training=False))
    for a, b in zip(Y32, Y):
        assert np.allclose(np.asarray(a), np.asarray(b), atol=1e-4), f"{name}: float32 / float64 models disagree"

    out = os.path.join(OUT, name)
    reset_dir(out)
    m32.save(os.path.join(out, "model.h5"))
    m32.save(os.path.join(out, "model.keras"))
    doc = {"format": "rnn-inspector", "version": 1, "keras_version": KERAS_VERSION,
           "model_config": json.loads(m32.to_json()),
           "weights": {l.name: [np.asarray(w).tolist() for w in l.get_weights()] for l in m32.layers if l.weights}}
    with open(os.path.join(out, "model.rnn.json"), "w", encoding="utf-8") as f:
        json.dump(doc, f, separators=(",", ":"))
    xn = ["X.npy"] if len(X) == 1 else [f"X{k}.npy" for k in range(len(X))]
    tn = ["T.npy"] if len(Tg) == 1 else [f"T{k}.npy" for k in range(len(Tg))]
    for n, a in zip(xn, X):
        np.save(os.path.join(out, n), a)
    for n, a in zip(tn, Tg):
        np.save(os.path.join(out, n), a)
    write_json(os.path.join(out, "gradients.json"), {
        "case": name,
        "keras_version": KERAS_VERSION,
        "tf_version": TF_VERSION,
        "dtype": "float64",
        "loss": loss,
        "loss_value": float(total.numpy()),
        "inputs": xn,
        "targets": tn,
        "outputs": [np.asarray(y).tolist() for y in Y],
        "gradients": [{"path": v.path, "shape": [int(d) for d in v.shape],
                       "data": np.asarray(tf.convert_to_tensor(g), dtype="float64").ravel().tolist()}
                      for v, g in zip(m64.trainable_weights, grads)],
    }, indent=1)
    return name


def run(only=None):
    os.makedirs(OUT, exist_ok=True)
    done = []
    for k, name in enumerate(CASES):
        if only and name not in only:
            continue
        done.append(make_case(name, 1000 + k))
        print("gradients:", name)
    index = os.path.join(OUT, "index.json")
    old = []
    if only and os.path.exists(index):
        with open(index, encoding="utf-8") as f:
            old = json.load(f)["cases"]
    cases = [c for c in CASES if c in set(old) | set(done)]
    write_json(index, {"keras_version": KERAS_VERSION, "tf_version": TF_VERSION, "cases": cases})
    return done
