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
    "mask_kwarg": (_mask_kwarg, None),
}


def _inputs(model, seed):
    rng = np.random.RandomState(seed)
    xs = []
    for t in model.inputs:
        shape = [3 if d is None else int(d) for d in t.shape]
        if "bool" in str(t.dtype):
            xs.append(rng.rand(*shape) > 0.3)
        elif "int" in str(t.dtype):
            ids = rng.randint(1, 9, size=shape)
            ids[:, -2:] = 0  # padding at the end: Embedding(mask_zero) masks it
            xs.append(ids.astype("int32"))
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


# ---------------------------------------------------------------- layers around the recurrent core
def _convlstm2d_same_state():
    x = keras.Input((4, 6, 5, 2), name="x")
    y, h, c = L.ConvLSTM2D(3, (3, 3), padding="same", return_sequences=True, return_state=True, name="clstm")(x)
    return keras.Model(x, [y, h, c], name="convlstm2d_same_state")


def _convlstm2d_strides_back():
    x = keras.Input((3, 7, 7, 2), name="x")
    y = L.ConvLSTM2D(2, (3, 2), strides=(2, 1), go_backwards=True, recurrent_activation="hard_sigmoid", name="clstm")(x)
    return keras.Model(x, L.Flatten()(y), name="convlstm2d_strides_back")


def _convlstm1d_dilated():
    x = keras.Input((5, 9, 3), name="x")
    y = L.ConvLSTM1D(4, 3, dilation_rate=2, return_sequences=True, name="clstm")(x)
    return keras.Model(x, y, name="convlstm1d_dilated")


def _convlstm3d():
    x = keras.Input((3, 4, 4, 3, 2), name="x")
    y = L.ConvLSTM3D(2, (2, 2, 2), padding="same", name="clstm")(x)
    y = L.MaxPooling3D((2, 2, 1), name="pool")(L.Reshape((4, 4, 3, 2))(y))
    return keras.Model(x, y, name="convlstm3d")


def _td_conv2d():
    x = keras.Input((3, 8, 8, 2), name="x")
    y = L.TimeDistributed(L.Conv2D(4, (3, 3), padding="same", activation="relu"))(x)
    y = L.TimeDistributed(L.MaxPooling2D((2, 2)))(y)
    y = L.TimeDistributed(L.AveragePooling2D((3, 3), strides=2, padding="same"))(y)
    y = L.TimeDistributed(L.Conv2D(3, (2, 2), strides=2, dilation_rate=1))(y)
    y = L.TimeDistributed(L.Dropout(0.3))(y)
    y = L.TimeDistributed(L.Flatten())(y)
    y = L.LSTM(5, name="lstm")(y)
    return keras.Model(x, L.Dense(2)(y), name="td_conv2d")


def _attention():
    q = keras.Input((4, 6), name="q")
    v = keras.Input((5, 6), name="v")
    a = L.Attention(use_scale=True, name="att")([q, v])
    b = L.Attention(score_mode="concat", name="att_concat")([q, v, v])
    c = L.AdditiveAttention(name="add_att")([q, v])
    return keras.Model([q, v], [a, b, c], name="attention")


def _attention_seq2seq():
    tok = keras.Input((6,), dtype="int32", name="tok")
    e = L.Embedding(9, 5, mask_zero=True, name="emb")(tok)
    enc = L.LSTM(4, return_sequences=True, name="enc")(e)
    dec = L.GRU(4, return_sequences=True, name="dec")(enc)
    ctx_ = L.Attention(name="att")([dec, enc], use_causal_mask=True)
    y = L.Concatenate()([dec, ctx_])
    return keras.Model(tok, L.Dense(3)(y), name="attention_seq2seq")


def _dot_3d():
    a = keras.Input((4, 3), name="a")
    b = keras.Input((5, 3), name="b")
    s = L.Dot(axes=(2, 2), name="scores")([a, b])
    n = L.Dot(axes=-1, normalize=True, name="cos")([a, L.Dense(3)(L.Flatten()(a))])
    return keras.Model([a, b], [s, n], name="dot_3d")


def _time_axis():
    x = keras.Input((7, 3), name="x")
    y = L.ZeroPadding1D((1, 2))(x)
    y = L.Conv1D(4, 3)(y)
    y = L.UpSampling1D(2)(y)
    y = L.Cropping1D((2, 1))(y)
    return keras.Model(x, L.SimpleRNN(3)(y), name="time_axis")


CASES.update({
    "convlstm2d_same_state": (_convlstm2d_same_state, None),
    "convlstm2d_strides_back": (_convlstm2d_strides_back, None),
    "convlstm1d_dilated": (_convlstm1d_dilated, None),
    "convlstm3d": (_convlstm3d, None),
    "td_conv2d": (_td_conv2d, None),
    "attention": (_attention, None),
    "attention_seq2seq": (_attention_seq2seq, None),
    "dot_3d": (_dot_3d, None),
    "time_axis": (_time_axis, None),
})
