"""Section W: Keras-made cases for the real-world model features of issue 8
(test/fixtures/realworld/<case>/).

Each case is built and run by Keras 3 itself and saved as model.keras and model.h5 (the legacy
HDF5 writer), with seeded inputs X*.npy, Keras's predictions Y*.npy and meta.json (parameter
totals, input/output file names, model.summary() text). Cases whose forward pass the inspector
must refuse carry "expect_error": a phrase the one-line error must contain.

    /root/tfvenv/bin/python scripts/make_fixtures.py --section W
"""
import os

import numpy as np

import fixtures_common as fc
from fixtures_common import keras, FIX, write_json

OUT = os.path.join(FIX, "realworld")
L = keras.layers


def _s2s_lstm():
    enc_in = keras.Input((5, 3), name="enc_in")
    dec_in = keras.Input((4, 2), name="dec_in")
    _, h, c = L.LSTM(6, return_state=True, name="encoder")(enc_in)
    seq, h2, c2 = L.LSTM(6, return_sequences=True, return_state=True, name="decoder")(dec_in, initial_state=[h, c])
    y = L.Dense(3, activation="softmax", name="out")(seq)
    return keras.Model([enc_in, dec_in], [y, h2, c2], name="s2s_lstm")


def _s2s_gru():
    enc_in = keras.Input((5, 3), name="enc_in")
    dec_in = keras.Input((4, 3), name="dec_in")
    enc_seq, h = L.GRU(5, return_sequences=True, return_state=True, name="encoder")(enc_in)
    dec = L.GRU(5, return_sequences=True, name="decoder")(dec_in, initial_state=h)
    y = L.TimeDistributed(L.Dense(2), name="td_out")(dec)
    return keras.Model([enc_in, dec_in], y, name="s2s_gru")


def _simple_rnn_state_input():
    x = keras.Input((6, 3), name="x")
    h0 = keras.Input((4,), name="h0")
    y = L.SimpleRNN(4, name="rnn")(x, initial_state=h0)
    return keras.Model([x, h0], y, name="simple_rnn_state_input")


def _bi_initial_state():
    x = keras.Input((5, 3), name="x")
    enc = L.Bidirectional(L.LSTM(4, return_state=True), name="bi_enc")
    _, fh, fc_, bh, bc = enc(x)
    dec = L.Bidirectional(L.LSTM(4, return_sequences=True), name="bi_dec")(x, initial_state=[fh, fc_, bh, bc])
    return keras.Model(x, dec, name="bi_initial_state")


def _inference_decoder():
    # The tutorial's inference decoder: states come in as Inputs and go out beside the prediction.
    dec_in = keras.Input((1, 4), name="dec_in")
    h_in = keras.Input((6,), name="h_in")
    c_in = keras.Input((6,), name="c_in")
    seq, h, c = L.LSTM(6, return_sequences=True, return_state=True, recurrent_activation="hard_sigmoid", name="decoder")(dec_in, initial_state=[h_in, c_in])
    y = L.Dense(4, activation="softmax", name="out")(seq)
    return keras.Model([dec_in, h_in, c_in], [y, h, c], name="inference_decoder")


def _mask_kwarg():
    x = keras.Input((5, 3), name="x")
    m = keras.Input((5,), dtype="bool", name="m")
    y = L.LSTM(4, name="lstm")(x, mask=m)
    return keras.Model([x, m], y, name="mask_kwarg")


# name -> (builder, error phrase or None)
CASES = {
    "s2s_lstm": (_s2s_lstm, None),
    "s2s_gru": (_s2s_gru, None),
    "simple_rnn_state_input": (_simple_rnn_state_input, None),
    "bi_initial_state": (_bi_initial_state, None),
    "inference_decoder": (_inference_decoder, None),
    "mask_kwarg": (_mask_kwarg, "mask="),
}


def _inputs(model, seed):
    rng = np.random.RandomState(seed)
    xs = []
    for t in model.inputs:
        shape = [3 if d is None else int(d) for d in t.shape]
        if "bool" in str(t.dtype):
            xs.append(rng.rand(*shape) > 0.3)
        else:
            xs.append(rng.randn(*shape).astype("float32"))
    return xs


def _save_arrays(d, stem, arrays):
    names = []
    for i, a in enumerate(arrays):
        n = f"{stem}{i}.npy" if len(arrays) > 1 else f"{stem}.npy"
        np.save(os.path.join(d, n), np.asarray(a))
        names.append(n)
    return names


def make_case(name, build, expect_error, seed):
    fc.fresh(seed)
    model = build()
    fc.random_weights(model, seed)
    d = os.path.join(OUT, name)
    fc.reset_dir(d)
    model.save(os.path.join(d, "model.keras"))
    model.save(os.path.join(d, "model.h5"))
    xs = _inputs(model, seed + 1)
    total, trainable, _ = fc.param_totals(model)
    meta = {
        "case": name,
        "keras_version": fc.KERAS_VERSION,
        "tf_version": fc.TF_VERSION,
        "files": ["model.keras", "model.h5"],
        "count_params": total,
        "trainable_params": trainable,
        "inputs": _save_arrays(d, "X", xs),
        "layers": [{k: r[k] for k in ("name", "class_name", "output_shape", "params")} for r in fc.layer_records(model)],
        "summary": fc.summary_text(model),
    }
    if expect_error:
        meta["expect_error"] = expect_error
    else:
        ys = fc.as_list(model.predict(xs if len(xs) > 1 else xs[0], verbose=0))
        meta["outputs"] = _save_arrays(d, "Y", [np.asarray(y, dtype="float32") for y in ys])
    write_json(os.path.join(d, "meta.json"), meta)
    return name


def run(only=None):
    os.makedirs(OUT, exist_ok=True)
    done = []
    for k, (name, (build, err)) in enumerate(CASES.items()):
        if only and name not in only:
            continue
        done.append(make_case(name, build, err, 800 + k))
        print(f"realworld: {name}")
    write_json(os.path.join(OUT, "index.json"), {"keras_version": fc.KERAS_VERSION,
                                                 "cases": [n for n in CASES if os.path.isdir(os.path.join(OUT, n))]})
    return done
