"""Section A: Keras model cases written to test/fixtures/keras/<case>/.

Each builder is called after fresh(seed) and returns a dict:
  model        the built Keras model
  X            list of input arrays (one per model input)
  description  one line for expected.json
  train        True -> compile with Adam + one train_on_batch before the
               random weights are (re)applied, so optimizer state is saved
  light        True -> only model.h5 + model.keras (no model.weights.h5)
"""
import numpy as np
import keras
from keras import layers as L

from fixtures_common import fresh

CASES = {}  # name -> (seed, builder)


def case(name, seed):
    def deco(fn):
        CASES[name] = (seed, fn)
        return fn
    return deco


def randn(*shape):
    return np.random.randn(*shape).astype("float32")


# ---------------------------------------------------------------- core engine
def seed_model(T=10, D=3, M=5, K=2):
    i = keras.Input(shape=(T, D))
    x = L.SimpleRNN(M)(i)
    x = L.Dense(K)(x)
    return keras.Model(i, x)


@case("seed_n1", 101)
def _():
    m = seed_model()
    np.random.seed(0)
    X = np.random.randn(1, 10, 3).astype("float32")
    return dict(model=m, X=[X], description=(
        "The notebook model: Input(shape=(10,3)) -> SimpleRNN(5) -> Dense(2), Functional, N=1; "
        "X = np.random.seed(0); np.random.randn(1,10,3) (as float32)"))


@case("seed_n15", 102)
def _():
    m = seed_model()
    np.random.seed(15)
    X = np.random.randn(15, 10, 3).astype("float32")
    return dict(model=m, X=[X], train=True, description=(
        "The notebook exercise: SimpleRNN(5) -> Dense(2), N=15, T=10, D=3; compiled with Adam and "
        "trained one batch before the random weights were set, so the files carry optimizer state"))


@case("relu_state", 103)
def _():
    inputs = keras.Input((2, 2))
    output, state = L.SimpleRNN(2, return_state=True, activation="relu")(inputs)
    m = keras.Model(inputs=inputs, outputs=[output, state])
    X = np.array([[[2, 2], [3, 3]]], dtype="float32")
    return dict(model=m, X=[X], description=(
        "Notebook 003: Input((2,2)) -> SimpleRNN(2, return_state=True, activation='relu'), "
        "Model(inputs, [output, state]), x=[[[2,2],[3,3]]]; two outputs (output, state)"))


ACTIVATIONS = ['tanh', 'relu', 'sigmoid', 'hard_sigmoid', 'linear', 'softsign', 'softplus',
               'elu', 'selu', 'gelu', 'swish', 'silu', 'exponential', 'relu6', 'hard_silu',
               'hard_swish', 'leaky_relu', 'mish', 'log_sigmoid', 'hard_tanh', 'celu',
               'tanh_shrink', 'squareplus', 'sparse_plus', 'sparse_sigmoid', 'soft_shrink',
               'hard_shrink', 'threshold', 'softmax', 'log_softmax', 'sparsemax', 'glu']


def _act_builder(act):
    def build():
        m = keras.Sequential([keras.Input((6, 3)), L.SimpleRNN(4, activation=act), L.Dense(2)])
        X = randn(4, 6, 3)
        extra = {}
        if act == "exponential":  # exp feeds back into itself: keep weights small so it stays finite
            extra = dict(scale=0.15)
            X *= 0.5
        return dict(model=m, X=[X], light=True, **extra, description=(
            f"SimpleRNN(4, activation='{act}') -> Dense(2), Sequential, T=6, D=3, N=4"
            + (" (weights scale 0.15, X scaled by 0.5 so exp stays finite)" if extra else "")))
    return build


for _i, _a in enumerate(ACTIVATIONS):
    CASES["act_" + _a] = (200 + _i, _act_builder(_a))


@case("no_bias", 104)
def _():
    m = keras.Sequential([keras.Input((7, 3)), L.SimpleRNN(4, use_bias=False),
                          L.Dense(3, use_bias=False)])
    return dict(model=m, X=[randn(5, 7, 3)], description=(
        "SimpleRNN(4, use_bias=False) -> Dense(3, use_bias=False): no bias tensors at all"))


@case("return_sequences_td", 105)
def _():
    i = keras.Input((6, 3))
    x = L.SimpleRNN(5, return_sequences=True)(i)
    x = L.TimeDistributed(L.Dense(2))(x)
    return dict(model=keras.Model(i, x), X=[randn(4, 6, 3)], description=(
        "SimpleRNN(5, return_sequences=True) -> TimeDistributed(Dense(2)); output (N,T,2)"))


@case("dense_3d", 106)
def _():
    i = keras.Input((6, 3))
    x = L.SimpleRNN(5, return_sequences=True)(i)
    x = L.Dense(3, activation="softmax")(x)
    return dict(model=keras.Model(i, x), X=[randn(4, 6, 3)], description=(
        "SimpleRNN(5, return_sequences=True) -> Dense(3, softmax) applied directly on the 3-D output"))


@case("go_backwards", 107)
def _():
    m = keras.Sequential([keras.Input((6, 3)), L.SimpleRNN(4, go_backwards=True), L.Dense(2)])
    return dict(model=m, X=[randn(4, 6, 3)], description=(
        "SimpleRNN(4, go_backwards=True) -> Dense(2)"))


@case("go_backwards_seq", 108)
def _():
    m = keras.Sequential([keras.Input((6, 3)),
                          L.SimpleRNN(4, go_backwards=True, return_sequences=True)])
    return dict(model=m, X=[randn(4, 6, 3)], description=(
        "SimpleRNN(4, go_backwards=True, return_sequences=True); Keras returns the sequence in "
        "reversed-time order (Y[:, 0] is the state after reading x[:, T-1]); kept as Keras gives it"))


@case("stacked", 109)
def _():
    m = keras.Sequential([keras.Input((8, 3)), L.SimpleRNN(6, return_sequences=True),
                          L.SimpleRNN(4), L.Dense(3, activation="softmax")])
    return dict(model=m, X=[randn(6, 8, 3)], train=True, description=(
        "Sequential: SimpleRNN(6, return_sequences=True) -> SimpleRNN(4) -> Dense(3, softmax); "
        "trained one Adam step first (optimizer state present)"))


@case("sequential_seed", 110)
def _():
    m = keras.Sequential([keras.Input((10, 3)), L.SimpleRNN(5), L.Dense(2)])
    return dict(model=m, X=[randn(15, 10, 3)], description=(
        "The notebook model as Sequential([Input((10,3)), SimpleRNN(5), Dense(2)]), N=15"))


@case("return_state_seq", 111)
def _():
    i = keras.Input((5, 2))
    seq, state = L.SimpleRNN(3, return_sequences=True, return_state=True)(i)
    return dict(model=keras.Model(i, [seq, state]), X=[randn(4, 5, 2)], description=(
        "SimpleRNN(3, return_sequences=True, return_state=True) -> outputs [sequence, state]"))


# --------------------------------------------------- gated and wrapped layers
@case("lstm", 301)
def _():
    m = keras.Sequential([keras.Input((7, 3)), L.LSTM(4), L.Dense(2)])
    return dict(model=m, X=[randn(5, 7, 3)], description="LSTM(4) -> Dense(2), T=7, D=3")


@case("lstm_seq_state", 302)
def _():
    i = keras.Input((6, 3))
    seq, h, c = L.LSTM(4, return_sequences=True, return_state=True)(i)
    return dict(model=keras.Model(i, [seq, h, c]), X=[randn(4, 6, 3)], description=(
        "LSTM(4, return_sequences=True, return_state=True) -> outputs [sequence, h, c]"))


@case("lstm_hard_sigmoid", 303)
def _():
    m = keras.Sequential([keras.Input((6, 3)),
                          L.LSTM(4, recurrent_activation="hard_sigmoid", activation="relu"),
                          L.Dense(2)])
    return dict(model=m, X=[randn(4, 6, 3)], description=(
        "LSTM(4, recurrent_activation='hard_sigmoid', activation='relu') -> Dense(2)"))


@case("lstm_stacked", 304)
def _():
    m = keras.Sequential([keras.Input((8, 3)), L.LSTM(6, return_sequences=True), L.LSTM(4),
                          L.Dense(1, activation="sigmoid")])
    return dict(model=m, X=[randn(5, 8, 3)], train=True, description=(
        "LSTM(6, return_sequences=True) -> LSTM(4) -> Dense(1, sigmoid); trained one Adam step "
        "first (optimizer state present)"))


@case("gru", 305)
def _():
    m = keras.Sequential([keras.Input((7, 3)), L.GRU(4), L.Dense(2)])
    return dict(model=m, X=[randn(5, 7, 3)], train=True, description=(
        "GRU(4) (reset_after=True: bias (2, 3M)) -> Dense(2); trained one Adam step first"))


@case("gru_reset_before", 306)
def _():
    m = keras.Sequential([keras.Input((7, 3)), L.GRU(4, reset_after=False), L.Dense(2)])
    return dict(model=m, X=[randn(5, 7, 3)], description=(
        "GRU(4, reset_after=False): 1-D bias (3M,) -> Dense(2)"))


@case("gru_seq_state", 307)
def _():
    i = keras.Input((6, 3))
    seq, h = L.GRU(3, return_sequences=True, return_state=True)(i)
    return dict(model=keras.Model(i, [seq, h]), X=[randn(4, 6, 3)], description=(
        "GRU(3, return_sequences=True, return_state=True) -> outputs [sequence, h]"))


BIDIR = {"concat": False, "sum": True, "mul": False, "ave": True, None: False}


def _bidir_builder(mode, rs):
    def build():
        i = keras.Input((6, 3))
        b = L.Bidirectional(L.LSTM(4, return_sequences=rs), merge_mode=mode)(i)
        if mode is None:
            m = keras.Model(i, b)
            desc = ("Bidirectional(LSTM(4), merge_mode=None) -> two outputs "
                    "[forward, backward] (N, 4) each")
        else:
            m = keras.Model(i, L.Dense(2)(b))
            desc = (f"Bidirectional(LSTM(4, return_sequences={rs}), merge_mode='{mode}') -> Dense(2)"
                    + (" on the 3-D output" if rs else ""))
        return dict(model=m, X=[randn(4, 6, 3)], train=(mode == "concat"), description=desc
                    + ("; trained one Adam step first" if mode == "concat" else ""))
    return build


for _i, (_m, _rs) in enumerate(BIDIR.items()):
    CASES["bidir_" + (_m if _m else "none")] = (320 + _i, _bidir_builder(_m, _rs))


@case("bidir_gru_seq", 330)
def _():
    i = keras.Input((6, 3))
    x = L.Bidirectional(L.GRU(3, return_sequences=True))(i)
    return dict(model=keras.Model(i, x), X=[randn(4, 6, 3)], description=(
        "Bidirectional(GRU(3, return_sequences=True)) (concat) -> output (N, T, 6)"))


@case("bidir_simple", 331)
def _():
    i = keras.Input((6, 3))
    x = L.Bidirectional(L.SimpleRNN(3))(i)
    x = L.Dense(2)(x)
    return dict(model=keras.Model(i, x), X=[randn(4, 6, 3)], description=(
        "Bidirectional(SimpleRNN(3)) (concat) -> Dense(2)"))


@case("embedding_rnn", 340)
def _():
    m = keras.Sequential([keras.Input((6,), dtype="int32"), L.Embedding(20, 4),
                          L.SimpleRNN(5), L.Dense(2)])
    X = np.random.randint(1, 20, size=(5, 6)).astype("int32")
    return dict(model=m, X=[X], description=(
        "Embedding(20, 4) -> SimpleRNN(5) -> Dense(2); int32 token inputs in 1..19"))


@case("embedding_mask_lstm", 341)
def _():
    m = keras.Sequential([keras.Input((8,), dtype="int32"), L.Embedding(20, 4, mask_zero=True),
                          L.LSTM(5, return_sequences=True), L.LSTM(3)])
    X = np.array([
        [0, 0, 0, 5, 3, 12, 7, 1],    # pre-padding
        [4, 9, 17, 2, 0, 0, 0, 0],    # post-padding
        [0, 0, 0, 11, 0, 0, 0, 0],    # all zeros except one step
        [3, 1, 4, 1, 5, 9, 2, 6],     # no padding
        [0, 8, 0, 8, 0, 8, 0, 8],     # interleaved zeros
    ], dtype="int32")
    return dict(model=m, X=[X], description=(
        "Embedding(20, 4, mask_zero=True) -> LSTM(5, return_sequences=True) -> LSTM(3); X has "
        "pre-padding, post-padding, a single non-zero step, no padding and interleaved zeros"))


@case("masking_gru", 342)
def _():
    m = keras.Sequential([keras.Input((6, 3)), L.Masking(mask_value=0.0),
                          L.GRU(4, return_sequences=True)])
    X = randn(4, 6, 3)
    X[0, :2] = 0.0      # leading masked steps
    X[1, 4:] = 0.0      # trailing masked steps
    X[2, [1, 3]] = 0.0  # masked steps in the middle
    X[3, 2, 0] = 0.0    # one zero feature only: not masked
    return dict(model=m, X=[X], description=(
        "Masking(mask_value=0.) -> GRU(4, return_sequences=True); rows 0-2 have all-zero time "
        "steps (leading, trailing, middle), row 3 has a single zero feature (not masked)"))


def _misc(pool_cls, desc_pool):
    i = keras.Input((8, 3))
    x = L.Conv1D(4, 3, activation="relu", padding="valid")(i)
    x = L.MaxPooling1D(2)(x)
    x = L.SimpleRNN(5, return_sequences=True)(x)
    x = L.BatchNormalization()(x)
    x = L.Dropout(0.3)(x)
    x = L.SpatialDropout1D(0.2)(x)
    x = L.GaussianNoise(0.1)(x)
    x = L.LSTM(4)(x)
    x = L.RepeatVector(3)(x)
    x = L.GRU(2, return_sequences=True)(x)
    x = L.Flatten()(x)
    x = L.Reshape((3, 2))(x)
    x = pool_cls()(x)
    x = L.Activation("tanh")(x)
    x = L.Dense(1)(x)
    return dict(model=keras.Model(i, x), X=[randn(5, 8, 3)], description=(
        "Input((8,3)) -> Conv1D(4,3,relu,valid) -> MaxPooling1D(2) -> SimpleRNN(5, rs) -> "
        "BatchNormalization -> Dropout(0.3) -> SpatialDropout1D(0.2) -> GaussianNoise(0.1) -> "
        "LSTM(4) -> RepeatVector(3) -> GRU(2, rs) -> Flatten -> Reshape((3,2)) -> "
        f"{desc_pool} -> Activation('tanh') -> Dense(1)"))


@case("misc_layers", 350)
def _():
    return _misc(L.GlobalAveragePooling1D, "GlobalAveragePooling1D")


@case("pooling_max", 351)
def _():
    return _misc(L.GlobalMaxPooling1D, "GlobalMaxPooling1D")


@case("functional_branches", 360)
def _():
    in0 = keras.Input((6, 3), name="seq_a")
    in1 = keras.Input((6, 2), name="seq_b")
    a = L.SimpleRNN(4)(in0)
    b = L.GRU(3)(in1)
    c = L.Concatenate()([a, b])
    out1 = L.Dense(2, name="head")(c)
    d1 = L.Dense(3, activation="relu")(c)
    d2 = L.Dense(3)(c)
    out2 = L.Add(name="sum")([d1, d2])
    m = keras.Model([in0, in1], [out1, out2])
    return dict(model=m, X=[randn(4, 6, 3), randn(4, 6, 2)], description=(
        "Two inputs X0 (N,6,3), X1 (N,6,2) -> SimpleRNN(4) / GRU(3) -> Concatenate -> "
        "[Dense(2) 'head', Add(Dense(3, relu), Dense(3)) 'sum']: two outputs"))


@case("conv_same", 370)
def _():
    i = keras.Input((12, 2))
    x = L.Conv1D(3, 3, padding="same", strides=2)(i)
    x = L.Conv1D(3, 2, padding="causal", dilation_rate=2, activation="relu")(x)
    x = L.SimpleRNN(4)(x)
    x = L.Dense(1)(x)
    return dict(model=keras.Model(i, x), X=[randn(4, 12, 2)], description=(
        "Conv1D(3, 3, padding='same', strides=2) -> Conv1D(3, 2, padding='causal', "
        "dilation_rate=2, relu) -> SimpleRNN(4) -> Dense(1)"))


# ------------------------------------------- layers without a fixture before
@case("permute_layers", 380)
def _():
    m = keras.Sequential([keras.Input((6, 3)), L.Permute((2, 1)), L.SimpleRNN(4), L.Dense(2)])
    return dict(model=m, X=[randn(4, 6, 3)], description=(
        "Input((6,3)) -> Permute((2,1)) (so T=3, D=6) -> SimpleRNN(4) -> Dense(2)"))


@case("merge_ops", 381)
def _():
    in0 = keras.Input((5, 3))
    in1 = keras.Input((5, 3))
    a = L.SimpleRNN(4)(in0)
    b = L.SimpleRNN(4)(in1)
    merged = [L.Subtract()([a, b]), L.Multiply()([a, b]), L.Average()([a, b]),
              L.Maximum()([a, b]), L.Minimum()([a, b])]
    x = L.Concatenate()(merged)
    x = L.Dense(2)(x)
    return dict(model=keras.Model([in0, in1], x), X=[randn(4, 5, 3), randn(4, 5, 3)],
                description=(
        "Two inputs X0, X1 (N,5,3) -> SimpleRNN(4) each -> Subtract, Multiply, Average, Maximum, "
        "Minimum of the two -> Concatenate (N,20) -> Dense(2)"))


@case("avg_pool_layernorm", 382)
def _():
    m = keras.Sequential([keras.Input((8, 3)), L.Conv1D(4, 2), L.AveragePooling1D(2),
                          L.LayerNormalization(), L.GRU(3), L.Dense(1)])
    return dict(model=m, X=[randn(5, 8, 3)], description=(
        "Input((8,3)) -> Conv1D(4, 2) -> AveragePooling1D(2) -> LayerNormalization -> GRU(3) "
        "-> Dense(1)"))


@case("bidir_mask", 383)
def _():
    m = keras.Sequential([keras.Input((7,), dtype="int32"), L.Embedding(12, 4, mask_zero=True),
                          L.Bidirectional(L.LSTM(3, return_sequences=True)),
                          L.Bidirectional(L.GRU(2)), L.Dense(1)])
    X = np.array([
        [0, 0, 0, 5, 3, 11, 7],     # pre-padding
        [4, 9, 2, 6, 0, 0, 0],      # post-padding
        [0, 0, 10, 0, 0, 0, 0],     # one non-zero step
        [3, 1, 4, 1, 5, 9, 2],      # no padding
        [0, 8, 0, 8, 0, 8, 0],      # interleaved zeros
    ], dtype="int32")
    return dict(model=m, X=[X], description=(
        "Embedding(12, 4, mask_zero=True) -> Bidirectional(LSTM(3, return_sequences=True)) -> "
        "Bidirectional(GRU(2)) -> Dense(1); X has pre-padding, post-padding, a single non-zero "
        "step, no padding and interleaved zeros"))


@case("noise_layers", 384)
def _():
    m = keras.Sequential([keras.Input((5, 3)), L.GaussianDropout(0.3), L.AlphaDropout(0.2),
                          L.SimpleRNN(4), L.Dense(2)])
    return dict(model=m, X=[randn(4, 5, 3)], description=(
        "Input((5,3)) -> GaussianDropout(0.3) -> AlphaDropout(0.2) -> SimpleRNN(4) -> Dense(2) "
        "(both noise layers are the identity at inference)"))
