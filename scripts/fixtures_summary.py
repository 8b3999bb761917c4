"""Section S: model.summary() exactly as Keras 3 prints it, for every Keras file it can load.

For each full-model file of the Keras cases (test/fixtures/keras/<case>/model.keras, model.h5),
the examples (examples/**/*.keras, *.h5 except *.weights.h5) and the architecture-only JSON
configs (test/fixtures/json/model_config*.json, via keras.models.model_from_json), and a few models
of its own (test/fixtures/summary/models/<case>/: shared layers, a nested model, long names,
frozen / float16 weights, several outputs), the model is
loaded with real Keras (keras.models.load_model(path, compile=False)) and `model.summary()` is
captured (print_fn) at two terminal widths:

  COLUMNS=80   the width Keras sees in a notebook or when stdout is not a terminal
               (shutil.get_terminal_size() falls back to 80 columns): line_length
               min(88, 80 - 4) = 76 for Sequential-like models, min(108, 76) = 76 otherwise
  COLUMNS=120  line_length 88 (Sequential-like) / 108 (Functional, with "Connected to")

Writes test/fixtures/summary/<path with / as __>.c<COLUMNS>.txt and index.json.
Only this folder is written; other sections' fixtures are read, never rewritten.
Also the full-model files of the shared corpus (RNN_INSPECTOR_CORPUS, default ../shared/corpus/files);
those Keras 3 refuses (Keras 1/2 configs) are listed under refused_by_keras.
The real-world corpus folders already carry Keras-printed summary.txt files (section R, 80 columns).
"""
import glob
import os

import keras

from fixtures_common import CORPUS_IN, FIX, REPO, KERAS_VERSION, TF_VERSION, reset_dir, write_json

OUT = os.path.join(FIX, "summary")
WIDTHS = (80, 120)


MODELS = os.path.join(OUT, "models")


def _summary_models():
    """Small models for what the other sections do not cover: shared layers, nested models,
    long names (wrapping, "…"), frozen and non-trainable weights, float16 weights, several outputs."""
    from fixtures_common import fresh
    L = keras.layers
    cases = {}

    fresh(11)
    a, b = keras.Input((4,), name="left"), keras.Input((4,), name="right")
    shared = L.Dense(3, name="shared_dense")
    x = L.Concatenate(name="joined")([shared(a), shared(b)])
    cases["shared_layer"] = keras.Model([a, b], L.Dense(1, name="score")(x), name="siamese")

    fresh(12)
    inp = keras.Input((10, 3), name="sequence")
    inner = keras.Sequential([L.SimpleRNN(4, name="inner_rnn"), L.Dense(2, name="inner_dense")], name="inner")
    cases["nested_sequential"] = keras.Model(inp, L.Dense(1, name="head")(inner(inp)), name="outer")

    fresh(13)
    cases["long_names"] = keras.Sequential([
        keras.Input((7, 2)),
        L.SimpleRNN(5, return_sequences=True, name="a_recurrent_layer_whose_name_is_much_longer_than_the_column"),
        L.TimeDistributed(L.Dense(3, name="inner"), name="time_distributed_with_a_long_name"),
        L.Flatten(name="f"),
        L.Dense(2, name="x" * 45),
    ], name="a_model_name_that_is_long_enough_to_need_wrapping_on_an_eighty_column_console_yes")

    fresh(14)
    frozen = L.LSTM(6, name="frozen_lstm")
    frozen.trainable = False
    cases["frozen_batchnorm"] = keras.Sequential([
        keras.Input((5, 3)), frozen, L.BatchNormalization(name="bn"), L.Dense(2, name="out")], name="frozen")

    fresh(15)
    cases["float16_weights"] = keras.Sequential([
        keras.Input((6, 2)), L.GRU(4, dtype="float16", name="gru16"), L.Dense(2, name="dense32")], name="half")

    fresh(16)
    inp = keras.Input((8, 3), name="x")
    seq, h = L.GRU(5, return_sequences=True, return_state=True, name="gru")(inp)
    out1 = L.Dense(2, name="per_step")(seq)
    out2 = L.Dense(1, name="final")(L.Concatenate(name="both")([h, L.GlobalAveragePooling1D(name="mean")(seq)]))
    cases["two_outputs"] = keras.Model(inp, [out1, out2], name="two_heads")

    files = []
    for name, model in cases.items():
        d = os.path.join(MODELS, name)
        os.makedirs(d, exist_ok=True)
        for fmt in ("model.keras", "model.h5"):
            model.save(os.path.join(d, fmt))
            files.append(os.path.join(d, fmt))
    return files


def _sources():
    files = _summary_models()
    for case in sorted(os.listdir(os.path.join(FIX, "keras"))):
        for fmt in ("model.keras", "model.h5"):
            p = os.path.join(FIX, "keras", case, fmt)
            if os.path.exists(p):
                files.append(p)
    for p in sorted(glob.glob(os.path.join(REPO, "examples", "**", "*"), recursive=True)):
        if p.endswith(".keras") or (p.endswith(".h5") and not p.endswith(".weights.h5")):
            files.append(p)
    files += sorted(glob.glob(os.path.join(FIX, "json", "model_config*.json")))
    files = [f for f in files if not f.endswith(".expected.json")]
    # The 18 real-world files of the shared corpus (../shared/corpus/files), full models only.
    if os.path.isdir(CORPUS_IN):
        for name in sorted(os.listdir(CORPUS_IN)):
            if (name.endswith(".keras") or name.endswith(".h5")) and not name.endswith(".weights.h5"):
                files.append(os.path.join(CORPUS_IN, name))
    return files


def _load(path):
    if path.endswith(".json"):
        with open(path, encoding="utf-8") as f:
            return keras.models.model_from_json(f.read()), "keras.models.model_from_json"
    return keras.models.load_model(path, compile=False), "keras.models.load_model(compile=False)"


def _summary(model, columns):
    os.environ["COLUMNS"] = str(columns)
    out = []
    model.summary(print_fn=lambda s, **kw: out.append(s))
    return "".join(out)


def run():
    saved_columns = os.environ.get("COLUMNS")
    reset_dir(OUT, keep=("README.md", "pending.json"))
    index = {"keras_version": KERAS_VERSION, "tf_version": TF_VERSION,
             "how": "model.summary(print_fn=...) with the environment variable COLUMNS set (terminal width)",
             "cases": [], "refused_by_keras": []}
    try:
        for path in _sources():
            if path.startswith(CORPUS_IN + os.sep):
                rel = "shared-corpus:" + os.path.basename(path)
                stem = "shared-corpus__" + os.path.basename(path)
            else:
                rel = os.path.relpath(path, REPO)
                stem = rel.replace(os.sep, "__").replace("test__fixtures__", "")
            keras.backend.clear_session()
            try:
                model, how = _load(path)
            except Exception as e:  # noqa: BLE001 - recorded, not hidden
                msg = str(e).splitlines()[0].replace(CORPUS_IN + os.sep, "")[:200]
                index["refused_by_keras"].append({"file": rel, "error": f"{type(e).__name__}: {msg}"})
                continue
            entry = {"file": rel, "loaded_with": how, "model_class": type(model).__name__, "texts": {}}
            for cols in WIDTHS:
                name = f"{stem}.c{cols}.txt"
                with open(os.path.join(OUT, name), "w", encoding="utf-8") as f:
                    f.write(_summary(model, cols))
                entry["texts"][str(cols)] = name
            index["cases"].append(entry)
    finally:
        if saved_columns is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = saved_columns
    # Keras's own byte formatting (ties of "{:.2f}" go to even), for the renderer's unit test.
    from keras.src.utils.summary_utils import readable_memory_size
    index["readable_memory_size"] = [[b, readable_memory_size(b)] for b in (
        0, 1, 228, 1000, 1023, 1024, 1152, 1408, 1029, 67840, 75520, 1048576, 1572864,
        1048576 * 1023.995, 1073741824 * 3, 1099511627776 * 2, 1125899906842624 * 5)]
    write_json(os.path.join(OUT, "index.json"), index)
    print(f"section S: {len(index['cases'])} summaries x {len(WIDTHS)} widths, "
          f"{len(index['refused_by_keras'])} refused")
