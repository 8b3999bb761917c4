"""Section C: Keras 3.15 predictions for the real-world corpus files.

For each file in the corpus (default /work/shared/corpus/files, override with
RNN_INSPECTOR_CORPUS) whose layers are all supported, load it with real Keras,
make seeded inputs X.npy (N=3) and store Keras's predictions Y.npy plus meta.json.
Files Keras 3 refuses are loaded "another way that is still real Keras":
the stored config is cleaned of obsolete keys and rebuilt with model_from_json,
and the weights are read with h5py in `weight_names` order and set with set_weights.
"""
import hashlib
import json
import os
import re
import shutil
import zipfile

import h5py
import numpy as np
import keras
from keras import layers as L

from fixtures_common import (CORPUS_IN, CORPUS_OUT, KERAS_VERSION, TF_VERSION, fresh,
                             layer_records, param_totals, reset_dir, write_json)

SUPPORTED = {"InputLayer", "SimpleRNN", "LSTM", "GRU", "Bidirectional", "Embedding", "Dense",
             "TimeDistributed", "Dropout", "RepeatVector", "BatchNormalization", "Masking",
             "Activation", "Flatten"}
N = 3
DEFAULT_T = 12


@keras.saving.register_keras_serializable(package="rnn_inspector")
def keras2_hard_sigmoid(x):
    """hard_sigmoid as Keras 1/2 and tf.keras 2.x defined it: clip(0.2 x + 0.5, 0, 1).
    (Keras 3 redefined 'hard_sigmoid' as relu6(x + 3) / 6 = clip(x / 6 + 0.5, 0, 1).)"""
    return keras.ops.clip(0.2 * x + 0.5, 0.0, 1.0)


def _s(v):
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, np.ndarray) and v.shape == ():
        return _s(v[()])
    return str(v)


# ----------------------------------------------------------- config cleaning
def _walk_layers(cfg, fn):
    """Call fn(layer_dict) on every {"class_name", "config"} layer dict, recursively."""
    if isinstance(cfg, dict):
        if "class_name" in cfg and isinstance(cfg.get("config"), dict):
            fn(cfg)
        for v in cfg.values():
            _walk_layers(v, fn)
    elif isinstance(cfg, list):
        for v in cfg:
            _walk_layers(v, fn)


def clean_keras2_config(model_config, removed):
    """Make a Keras 2.x model_config loadable by Keras 3. Every change is recorded in `removed`."""
    cfg = json.loads(json.dumps(model_config))
    if cfg.get("class_name") == "Sequential":
        c = cfg["config"]
        if isinstance(c, list):  # Keras 2.0/2.1 Sequential: config is the bare layer list
            cfg["config"] = c = {"name": "sequential", "layers": c}
            removed.append("Sequential config list -> {'layers': [...]}")
        layers = c["layers"]
        if layers and layers[0]["class_name"] != "InputLayer":
            first = layers[0]["config"]
            bis = first.get("batch_input_shape")
            if bis is not None:
                layers.insert(0, {"class_name": "InputLayer", "config": {
                    "batch_input_shape": bis, "dtype": first.get("dtype", "float32"),
                    "name": first["name"] + "_input"}})
                removed.append(f"inserted InputLayer(batch_input_shape={bis}) before {first['name']}")

    def fix(layer):
        cn, c = layer["class_name"], layer["config"]
        for k in ("time_major",):
            if k in c:
                del c[k]
                removed.append(f"{cn}.{k}")
        if cn == "GRU" and "reset_after" not in c:
            c["reset_after"] = False  # the Keras 2.0-2.2 GRU (its default); Keras 3 defaults to True
            removed.append("GRU.reset_after missing -> False (Keras 2 default)")
        if cn in ("TimeDistributed", "Bidirectional") and isinstance(c.get("layer"), dict):
            c["layer"].setdefault("module", "keras.layers")
    _walk_layers(cfg, fix)
    return cfg


def build_from_config(cfg, removed):
    """Keras 3's own legacy-config deserializer (the one keras.models.load_model uses for
    .h5 files: keras.src.legacy.saving.saving_utils.model_from_config), stripping keyword
    arguments Keras 3 rejects, one by one."""
    from keras.src.legacy.saving import saving_utils
    custom = {n: getattr(L, n) for n in SUPPORTED if hasattr(L, n)}
    for _ in range(20):
        try:
            return saving_utils.model_from_config(json.loads(json.dumps(cfg)), custom_objects=custom)
        except (ValueError, TypeError) as e:
            m = re.search(r"Unrecognized keyword arguments passed to (\w+): (\{.*\})", str(e))
            if not m:
                raise
            cls, keys = m.group(1), re.findall(r"'(\w+)':", m.group(2))

            def strip(layer):
                if layer["class_name"] == cls:
                    for k in keys:
                        if k in layer["config"]:
                            del layer["config"][k]
            _walk_layers(cfg, strip)
            removed.extend(f"{cls}.{k}" for k in keys)
    raise RuntimeError("could not rebuild config")


def load_legacy_weights(model, group):
    """Set weights from a Keras 1/2 HDF5 weights group in `weight_names` order."""
    names = [_s(n) for n in group.attrs["layer_names"]]
    n_set = 0
    for name in names:
        g = group[name]
        wn = [_s(w) for w in g.attrs.get("weight_names", [])]
        if not wn:
            continue
        arrays = [np.asarray(g[w]) for w in wn]
        model.get_layer(name).set_weights(arrays)
        n_set += len(arrays)
    return n_set


# ------------------------------------------------------------- per-file loaders
def load_full_h5(path):
    try:
        return keras.models.load_model(path, compile=False), "keras.models.load_model(compile=False)", []
    except Exception as e:
        first_error = f"{type(e).__name__}: {str(e).splitlines()[0][:200]}"
    removed = []
    with h5py.File(path, "r") as f:
        cfg = json.loads(_s(f.attrs["model_config"]))
        cfg = clean_keras2_config(cfg, removed)
        model = build_from_config(cfg, removed)
        n = load_legacy_weights(model, f["model_weights"])
    how = ("keras.models.load_model refused it (" + first_error + "); rebuilt with "
           "Keras's legacy config deserializer (keras.src.legacy.saving.saving_utils.model_from_config) from the stored model_config after removing/adjusting: "
           + "; ".join(removed) + f"; {n} weight arrays read with h5py from model_weights in "
           "weight_names order and set with layer.set_weights")
    return model, how, removed


def load_weights_only_with_json(h5_path, json_path):
    removed = []
    with open(json_path) as f:
        cfg = clean_keras2_config(json.load(f), removed)
    model = build_from_config(cfg, removed)
    with h5py.File(h5_path, "r") as f:
        n = load_legacy_weights(model, f)
    how = (f"weights-only file: architecture from {os.path.basename(json_path)} rebuilt with "
           "Keras's legacy config deserializer (keras.src.legacy.saving.saving_utils.model_from_config) after removing/adjusting: " + ("; ".join(removed) or "nothing")
           + f"; {n} weight arrays read with h5py in weight_names order and set with layer.set_weights")
    return model, how, removed


def load_frownyface(h5_path, json_path):
    """Keras 1.x: translate the to_json() architecture and per-gate tensors."""
    with open(json_path) as f:
        arch = json.load(f)
    layers_cfg = arch["config"]
    first = layers_cfg[0]["config"]
    bis = first.get("batch_input_shape") or [None, first.get("input_length"), first["input_dim"]]
    model = keras.Sequential(name="sequential")
    model.add(keras.Input(batch_shape=tuple(bis)))
    for lc in layers_cfg:
        cn, c = lc["class_name"], lc["config"]
        if cn == "LSTM":
            model.add(L.LSTM(c["output_dim"], activation=c["activation"],
                             recurrent_activation=c["inner_activation"],
                             return_sequences=c["return_sequences"], go_backwards=c["go_backwards"],
                             name=c["name"]))
        elif cn == "Dropout":
            model.add(L.Dropout(c["p"], name=c["name"]))
        elif cn == "Dense":
            model.add(L.Dense(c["output_dim"], activation=c["activation"], use_bias=c.get("bias", True),
                              name=c["name"]))
        elif cn == "Activation":
            model.add(L.Activation(c["activation"], name=c["name"]))
        else:
            raise ValueError(f"unexpected Keras 1 layer {cn}")
    with h5py.File(h5_path, "r") as f:
        for lc in layers_cfg:
            name = lc["config"]["name"]
            g = f[name]
            if lc["class_name"] == "LSTM":
                t = {k: np.asarray(g[f"{name}_{k}"]) for k in
                     ("W_i", "W_f", "W_c", "W_o", "U_i", "U_f", "U_c", "U_o", "b_i", "b_f", "b_c", "b_o")}
                kernel = np.concatenate([t["W_i"], t["W_f"], t["W_c"], t["W_o"]], axis=1)
                rec = np.concatenate([t["U_i"], t["U_f"], t["U_c"], t["U_o"]], axis=1)
                bias = np.concatenate([t["b_i"], t["b_f"], t["b_c"], t["b_o"]])
                model.get_layer(name).set_weights([kernel, rec, bias])
            elif lc["class_name"] == "Dense":
                model.get_layer(name).set_weights([np.asarray(g[f"{name}_W"]), np.asarray(g[f"{name}_b"])])
    how = ("Keras 1.x weights-only file: architecture translated from lstm_arch.json to Keras 3 layers "
           "(LSTM output_dim->units, inner_activation->recurrent_activation, Dropout p->rate, Dense "
           "output_dim->units); per-gate tensors W_*/U_*/b_* (stored in i, c, f, o order) concatenated "
           "into Keras's i, f, c, o kernel/recurrent_kernel/bias and set with layer.set_weights")
    return model, how, ["keras1 translation"]


def load_soorya(path):
    """Keras 3 .weights.h5 without config. Architecture from the weight shapes plus the
    repository's notebook (ipynb_for_mlmodel/finalmodel_gru.ipynb):
    GRU(70, input_dim=1) -> RepeatVector(look_ahead=30) -> 4x GRU(70, return_sequences=True)
    -> TimeDistributed(Dense(1)), look_back=50."""
    model = keras.Sequential([
        keras.Input((50, 1)),
        L.GRU(70),
        L.RepeatVector(30),
        L.GRU(70, return_sequences=True),
        L.GRU(70, return_sequences=True),
        L.GRU(70, return_sequences=True),
        L.GRU(70, return_sequences=True),
        L.TimeDistributed(L.Dense(1)),
    ])
    model.load_weights(path)
    how = ("Keras 3 save_weights file without architecture: rebuilt as Sequential([Input((50, 1)), GRU(70), "
           "RepeatVector(30), GRU(70, return_sequences=True) x4, TimeDistributed(Dense(1))]) and loaded with "
           "model.load_weights. The shapes fix 5 GRU(70) (first with input dim 1), a RepeatVector and a "
           "TimeDistributed(Dense(1)) but not return_sequences or where RepeatVector sits; those, look_back=50 "
           "and look_ahead=30 come from the repository's finalmodel_gru.ipynb (GRU(neuron1, input_dim=1); "
           "RepeatVector(look_ahead); 4x GRU(..., return_sequences=True); TimeDistributed(Dense(1))). "
           "Only this arrangement is consistent with TimeDistributed (needs 3-D) after RepeatVector (needs 2-D) "
           "for encoder GRU count 1; other splits (2 or 3 encoder GRUs) would load the same weights too.")
    return model, how, ["architecture reconstructed"]


def load_tfjs(d):
    with open(os.path.join(d, "model.json")) as f:
        doc = json.load(f)
    model = keras.models.model_from_json(json.dumps(doc["modelTopology"]["model_config"]),
                                         custom_objects={"Functional": keras.Model,
                                                         "Sequential": keras.Sequential})
    blobs = {}
    for group in doc["weightsManifest"]:
        data = b"".join(open(os.path.join(d, p), "rb").read() for p in group["paths"])
        off = 0
        for w in group["weights"]:
            assert w["dtype"] == "float32"
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            blobs[w["name"]] = np.frombuffer(data, "<f4", count=n, offset=off).reshape(w["shape"])
            off += 4 * n
    used = set()
    values = []
    for v in model.weights:
        path = v.path
        cands = [path, path.split("/", 1)[1] if "/" in path else path]
        name = next(c for c in cands if c in blobs)
        used.add(name)
        values.append(blobs[name])
    assert used == set(blobs), set(blobs) - used
    model.set_weights(values)
    how = ("TF.js layers-model: keras.models.model_from_json(modelTopology.model_config); the shard read as "
           "little-endian float32 in manifest order, each manifest name matched to the Keras variable path "
           "(Bidirectional variables without the wrapper prefix) and set with model.set_weights")
    return model, how, []


# ---------------------------------------------------------------- driver
def corpus_entries():
    files = sorted(os.listdir(CORPUS_IN))
    out = []
    for f in files:
        p = os.path.join(CORPUS_IN, f)
        if f.endswith(".json"):
            continue  # companion architecture files
        out.append((f, p))
    return out


def load_any(fname, path):
    if os.path.isdir(path):
        return load_tfjs(path)
    if fname.startswith("FrownyFace__"):
        return load_frownyface(path, os.path.join(CORPUS_IN, "FrownyFace__NN__lstm_arch.json"))
    if fname.startswith("xzhang9292__"):
        return load_weights_only_with_json(path, path[:-3] + ".json")
    if fname.startswith("Soorya-Kumar__"):
        return load_soorya(path)
    if fname.endswith(".keras"):
        return keras.models.load_model(path, compile=False), "keras.models.load_model(compile=False)", []
    return load_full_h5(path)


def stored_keras_version(path):
    try:
        if os.path.isdir(path):
            with open(os.path.join(path, "model.json")) as f:
                return json.load(f)["modelTopology"].get("keras_version")
        if path.endswith(".keras"):
            with zipfile.ZipFile(path) as z:
                return json.loads(z.read("metadata.json")).get("keras_version")
        with h5py.File(path, "r") as f:
            v = f.attrs.get("keras_version")
            return _s(v) if v is not None else None
    except Exception:
        return None


def make_inputs(model, seed):
    rng = np.random.RandomState(seed)
    shape = list(model.inputs[0].shape)
    first = next(l for l in model.layers if l.__class__.__name__ != "InputLayer")
    T = shape[1] if shape[1] is not None else DEFAULT_T
    if isinstance(first, L.Embedding):
        X = rng.randint(0, first.input_dim, size=(N, T)).astype("int32")
        return X, f"int32 token ids uniform in [0, {first.input_dim}) (Embedding input_dim), T={T}"
    D = shape[2]
    if D >= 100:  # one-hot vocabulary inputs (the hongong books' IMDB one-hot models)
        idx = rng.randint(0, D, size=(N, T))
        X = np.zeros((N, T, D), dtype="float32")
        X[np.arange(N)[:, None], np.arange(T)[None, :], idx] = 1.0
        X[:, : T // 4] = 0.0  # leading all-zero steps, like pre-padded one-hot sequences
        return X, f"float32 one-hot rows (one 1.0 per step, index uniform in [0, {D})), first {T // 4} steps all zero, T={T}"
    X = rng.randn(N, T, D).astype("float32")
    return X, f"float32 standard normal, T={T}" + (" (input length None in the file)" if shape[1] is None else "")


def _uses_hard_sigmoid(model):
    found = []

    def chk(layer):
        for k in ("activation", "recurrent_activation"):
            if layer["config"].get(k) == "hard_sigmoid":
                found.append(f"{layer['config'].get('name')}.{k}")
    _walk_layers(json.loads(model.to_json()), chk)
    return found


def keras2_semantics_model(model):
    """Same architecture and weights, with every hard_sigmoid activation swapped for the
    Keras 1/2 definition (cell/layer attributes are read at call time)."""
    m2 = keras.models.model_from_json(model.to_json())
    m2.set_weights(model.get_weights())
    hs = keras.activations.hard_sigmoid
    swapped = []

    def objs(layer):
        yield layer
        for attr in ("cell", "forward_layer", "backward_layer", "layer"):
            sub = getattr(layer, attr, None)
            if isinstance(sub, keras.layers.Layer):
                yield from objs(sub)
    for layer in m2.layers:
        for o in objs(layer):
            for k in ("activation", "recurrent_activation"):
                if getattr(o, k, None) is hs:
                    try:
                        setattr(o, k, keras2_hard_sigmoid)
                    except AttributeError:
                        pass  # RNN layer property delegating to its cell: the cell is set instead
    return m2


def run():
    # Only this section's folders: section R's real-world folders live beside them.
    os.makedirs(CORPUS_OUT, exist_ok=True)
    for fname, _ in corpus_entries():
        if os.path.isdir(os.path.join(CORPUS_OUT, fname)):
            shutil.rmtree(os.path.join(CORPUS_OUT, fname))
    summary = {"keras_version": KERAS_VERSION, "tf_version": TF_VERSION, "corpus": CORPUS_IN, "files": []}
    for fname, path in corpus_entries():
        seed = int(hashlib.sha256(fname.encode()).hexdigest()[:8], 16) % (2 ** 31)
        fresh(seed % 100000)
        entry = {"file": fname, "file_keras_version": stored_keras_version(path)}
        try:
            model, how, _ = load_any(fname, path)
        except Exception as e:
            entry.update({"loaded": False, "error": f"{type(e).__name__}: {str(e)[:300]}"})
            print(f"FAIL {fname}: {entry['error']}")
            summary["files"].append(entry)
            continue
        classes = {l.__class__.__name__ for l in model.layers}
        inner = {l.layer.__class__.__name__ for l in model.layers if hasattr(l, "layer")
                 and isinstance(getattr(l, "layer"), keras.layers.Layer)}
        unsupported = sorted((classes | inner) - SUPPORTED)
        total, trainable, non_trainable = param_totals(model)
        entry.update({
            "loaded": True, "how_loaded": how, "model_class": model.__class__.__name__,
            "layers": [{k: r[k] for k in ("name", "class_name", "output_shape", "params")}
                       for r in layer_records(model)],
            "total_params": total, "trainable_params": trainable, "non_trainable_params": non_trainable,
        })
        if unsupported:
            entry["predictions"] = f"skipped: unsupported layers {unsupported}"
            summary["files"].append(entry)
            print(f"SKIP {fname}: unsupported {unsupported}")
            continue
        X, x_desc = make_inputs(model, seed)
        Y = np.asarray(model.predict(X, verbose=0), dtype="float32")
        out = os.path.join(CORPUS_OUT, fname)
        reset_dir(out)
        np.save(os.path.join(out, "X.npy"), X)
        np.save(os.path.join(out, "Y.npy"), Y)
        meta = {
            "file": fname,
            "file_keras_version": entry["file_keras_version"],
            "how_loaded": how,
            "keras_version": KERAS_VERSION,
            "tf_version": TF_VERSION,
            "input_dtype": str(X.dtype),
            "input_shape": list(X.shape),
            "inputs_description": x_desc,
            "input_seed": seed,
            "count_params": int(model.count_params()),
            "output_shapes": [list(Y.shape)],
            "inputs": ["X.npy"],
            "outputs": ["Y.npy"],
        }
        hs = _uses_hard_sigmoid(model)
        fv = entry["file_keras_version"] or ""
        if hs and (fv.startswith("1") or fv.startswith("2") or fname.startswith("FrownyFace__")):
            Y2 = np.asarray(keras2_semantics_model(model).predict(X, verbose=0), dtype="float32")
            np.save(os.path.join(out, "Y_keras2_hard_sigmoid.npy"), Y2)
            meta["alt_outputs"] = {"Y_keras2_hard_sigmoid.npy": (
                "same model and weights, but 'hard_sigmoid' evaluated as Keras 1/2 defined it, "
                "clip(0.2*x + 0.5, 0, 1), via a registered Keras activation; Y.npy uses Keras 3's "
                "hard_sigmoid = clip(x/6 + 0.5, 0, 1). Layers affected: " + ", ".join(hs))}
            meta["max_abs_diff_Y_vs_keras2_hard_sigmoid"] = float(np.max(np.abs(Y - Y2)))
        if fname.startswith("Soorya-Kumar__"):
            # The file records no architecture: keep Keras's own to_json() of the rebuilt model so
            # the reader can be given it (rnn-inspector --config) and checked against Y.npy.
            write_json(os.path.join(out, "architecture.json"), json.loads(model.to_json()))
            meta["architecture"] = "architecture.json"
        write_json(os.path.join(out, "meta.json"), meta)
        entry["predictions"] = f"{fname}/Y.npy"
        entry["output_shapes"] = meta["output_shapes"]
        summary["files"].append(entry)
        print(f"ok   {fname}: params={total} X{list(X.shape)} -> Y{list(Y.shape)}  [{how[:60]}]")
    write_json(os.path.join(CORPUS_OUT, "summary.json"), summary)
