"""Section R: reference predictions for the real-world corpus files committed under
test/fixtures/corpus/<owner>__<repo>__<file>/ (provenance in test/fixtures/corpus/sources.json,
written by scripts/corpus_collect.py).

For each file: load it with real Keras 3.15 (keras.models.load_model, or, where Keras 3 refuses
an old file, Keras's own legacy deserializer on the cleaned stored config plus the stored weights
set with set_weights, or a documented translation for layers Keras 3 no longer has), draw seeded
inputs of the right shape (N <= 3), and write into the file's folder:

  X.npy / X0.npy, X1.npy ... (or .npz, deflated, for big arrays)   inputs in model.inputs order
  Y.npy / Y0.npy ...                                                  predictions in model.outputs order,
        with the semantics of the framework that WROTE the file (Keras 1/2 and tf.keras 2.x:
        hard_sigmoid = clip(0.2x + 0.5, 0, 1); Keras 3: relu6(x + 3) / 6)
  Y_keras3*.npy   where that differs: what Keras 3's own hard_sigmoid gives
  summary.txt     model.summary() as Keras 3.15 prints it
  meta.json       how it was loaded, parameter totals, file lists, per-layer records

and test/fixtures/corpus/manifest.json + MANIFEST.md (provenance + results, one table).
Files the generator cannot run are listed with the reason (manifest "status").
"""
import hashlib
import io
import json
import os
import zipfile

import h5py
import numpy as np
import keras

from fixtures_common import (CORPUS_OUT, KERAS_VERSION, TF_VERSION, fresh, layer_records,
                             param_totals, summary_text, write_json, as_list)
import fixtures_corpus as fc

SOURCES = os.path.join(CORPUS_OUT, "sources.json")
N = 3
DEFAULT_T = 12
BIG = 64 * 1024  # arrays larger than this many bytes are written deflated (.npz)
GENERATED = ("meta.json", "summary.txt")


def _s(v):
    return fc._s(v)


def stored_version(path):
    """(keras_version, backend, tfjs generatedBy/convertedBy) recorded in the file."""
    try:
        if path.endswith("model.json"):
            with open(path) as f:
                doc = json.load(f)
            return doc["modelTopology"].get("keras_version"), doc["modelTopology"].get("backend"), doc.get("convertedBy")
        if path.endswith(".keras"):
            with zipfile.ZipFile(path) as z:
                return json.loads(z.read("metadata.json")).get("keras_version"), None, None
        with h5py.File(path, "r") as f:
            kv, be = f.attrs.get("keras_version"), f.attrs.get("backend")
            return (_s(kv) if kv is not None else None), (_s(be) if be is not None else None), None
    except Exception:
        return None, None, None


def old_hard_sigmoid(version, tfjs):
    """Did the writing framework define hard_sigmoid as clip(0.2x + 0.5, 0, 1)?
    Keras 1/2, tf.keras 2.x (<= 2.15) and TF.js: yes; Keras 3: no."""
    if tfjs:
        return True
    return bool(version) and version.split(".")[0] in ("1", "2")


# ---------------------------------------------------------------- loading
def load(path, entry):
    """Returns (model, how). keras.models.load_model first; legacy rebuild when refused."""
    if path.endswith("model.json"):
        return load_tfjs(path)
    companions = [f["file"] for f in entry["files"][1:] if f["file"].endswith(".json")]
    if companions:
        js = os.path.join(os.path.dirname(path), companions[0])
        with open(js) as f:
            arch = json.load(f)
        if str(arch.get("keras_version", "")).startswith("1") or '"output_dim"' in json.dumps(arch):
            return load_keras1_weights(path, js, arch)
        model, how, _ = fc.load_weights_only_with_json(path, js)
        return model, how
    if path.endswith(".keras"):
        return load_keras_zip(path)
    return load_legacy_h5(path)


def _windows_paths(h5_bytes):
    with h5py.File(io.BytesIO(h5_bytes), "r") as f:
        return any("\\" in k for k in f.keys())


def _slash_paths(h5_bytes, tmp):
    """A copy of the weights file with every dataset at its path with '\\' read as '/'."""
    out = os.path.join(tmp, "slashed.h5")
    with h5py.File(io.BytesIO(h5_bytes), "r") as src, h5py.File(out, "w") as dst:
        def copy(name, obj):
            if isinstance(obj, h5py.Dataset):
                dst.create_dataset(name.replace("\\", "/"), data=obj[()])
        src.visititems(copy)
    with open(out, "rb") as f:
        return f.read()


def load_keras_zip(path):
    """keras.models.load_model; when Keras 3 refuses keyword arguments that tf.keras 2.13-2.15
    wrote into a .keras config.json (batch_input_shape, time_major), the same zip is rewritten to
    a temporary file with only those keys taken out of config.json, and loaded again."""
    import re
    import tempfile
    import zipfile
    try:
        return keras.models.load_model(path, compile=False), "keras.models.load_model(compile=False)"
    except ValueError as e:
        first_error = f"{type(e).__name__}: {str(e).splitlines()[0][:160]}"
        err = e
    with zipfile.ZipFile(path) as z:
        entries = {n: z.read(n) for n in z.namelist()}
    cfg = json.loads(entries["config.json"])
    removed = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(10):
            m = re.search(r"Unrecognized keyword arguments passed to (\w+): (\{.*\})", str(err))
            if not m and ("windows_paths" in removed or not _windows_paths(entries["model.weights.h5"])):
                raise err
            cls, keys = (m.group(1), re.findall(r"'(\w+)':", m.group(2))) if m else (None, [])

            def strip(node):
                if isinstance(node, dict):
                    if node.get("class_name") == cls and isinstance(node.get("config"), dict):
                        for k in keys:
                            node["config"].pop(k, None)
                            removed.append(f"{cls}.{k}")
                    for v in node.values():
                        strip(v)
                elif isinstance(node, list):
                    for v in node:
                        strip(v)
            strip(cfg)
            if "windows_paths" not in removed and _windows_paths(entries["model.weights.h5"]):
                # tf.keras 2.15 on Windows joined the HDF5 group names with os.path.join:
                # "layers\\gru\\cell/vars/0". Keras 3 looks for "layers/gru/cell/vars/0".
                entries["model.weights.h5"] = _slash_paths(entries["model.weights.h5"], tmp)
                removed.append("windows_paths")
            out = os.path.join(tmp, "patched.keras")
            with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
                for n, b in entries.items():
                    z.writestr(n, json.dumps(cfg) if n == "config.json" else b)
            try:
                model = keras.models.load_model(out, compile=False)
            except ValueError as e:
                err = e
                continue
            fixes = [r for r in dict.fromkeys(removed) if r != "windows_paths"]
            how = (f"keras.models.load_model refused it ({first_error}); loaded again from a copy whose "
                   "config.json drops the keyword arguments Keras 3 rejects: " + "; ".join(fixes)
                   + ("; and whose model.weights.h5 has the Windows group names (layers\\gru\\cell) "
                      "rewritten with '/'" if "windows_paths" in removed else ""))
            return model, how
    raise err


RNN_CLASSES = ("SimpleRNN", "LSTM", "GRU", "CuDNNLSTM", "CuDNNGRU", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "RNN")


def _legacy_arrays(group):
    """{short name: array} of a Keras 1 layer group: 'lstm_1_W_i:0' -> 'W_i'."""
    name = group.name.split("/")[-1]
    out = {}
    for k in group.keys():
        obj = group[k]
        if isinstance(obj, h5py.Group):
            out.update(_legacy_arrays(obj))
            continue
        short = k.split(":")[0]
        if short.startswith(name + "_"):
            short = short[len(name) + 1:]
        out[short] = np.asarray(obj)
    return out


def _k1_layer(lc):
    """A Keras 3 layer from a Keras 1.x layer dict (output_dim -> units, inner_activation ->
    recurrent_activation, Dropout p -> rate, Dense bias -> use_bias, W_/U_/b_ per gate)."""
    L = keras.layers
    cn, c = lc["class_name"], lc["config"]
    common = dict(activation=c.get("activation", "tanh"), return_sequences=c.get("return_sequences", False),
                  go_backwards=c.get("go_backwards", False), stateful=c.get("stateful", False), name=c["name"])
    if cn == "LSTM":
        return L.LSTM(c["output_dim"], recurrent_activation=c["inner_activation"], **common)
    if cn == "GRU":
        return L.GRU(c["output_dim"], recurrent_activation=c["inner_activation"], reset_after=False, **common)
    if cn == "SimpleRNN":
        return L.SimpleRNN(c["output_dim"], **common)
    if cn == "Bidirectional":
        return L.Bidirectional(_k1_layer(c["layer"]), merge_mode=c.get("merge_mode", "concat"), name=c["name"])
    if cn == "Embedding":
        return L.Embedding(c["input_dim"], c["output_dim"], mask_zero=c.get("mask_zero", False), name=c["name"])
    if cn == "Dropout":
        return L.Dropout(c["p"], name=c["name"])
    if cn == "Dense":
        return L.Dense(c["output_dim"], activation=c["activation"], use_bias=c.get("bias", True), name=c["name"])
    if cn == "Activation":
        return L.Activation(c["activation"], name=c["name"])
    if cn == "Flatten":
        return L.Flatten(name=c["name"])
    if cn == "Masking":
        return L.Masking(c.get("mask_value", 0.0), name=c["name"])
    raise ValueError(f"Keras 1 layer {cn} not translated")


_K1_GATES = {"LSTM": "ifco", "GRU": "zrh"}


def _k1_arrays(cn, t, prefix=""):
    """The Keras 3 weight list of one Keras 1 layer from its {short name: array} tensors."""
    if cn in _K1_GATES:
        return [np.concatenate([t[f"{prefix}{m}_{x}"] for x in _K1_GATES[cn]], axis=-1) for m in ("W", "U", "b")]
    if cn == "SimpleRNN":
        return [t[prefix + "W"], t[prefix + "U"], t[prefix + "b"]]
    if cn == "Dense":
        return [t[prefix + "W"]] + ([t[prefix + "b"]] if prefix + "b" in t else [])
    if cn == "Embedding":
        return [t[prefix + "W"]]
    return None


def load_keras1_weights(h5_path, json_path, arch, weights_group=None):
    """Keras 1.x file: the Sequential of `arch` (a to_json() file beside a save_weights file, or the
    model_config of a full model file) translated to Keras 3 layers, per-gate tensors concatenated
    in Keras 2's gate order (LSTM i, f, c, o; GRU z, r, h, with reset_after=False as Keras 1
    computed it; a Bidirectional's forward_*/backward_* halves) and set with layer.set_weights."""
    layers_cfg = arch["config"]["layers"] if isinstance(arch["config"], dict) else arch["config"]
    first = layers_cfg[0]["config"]
    bis = first.get("batch_input_shape") or [None, first.get("input_length"), first["input_dim"]]
    model = keras.Sequential(name="sequential")
    model.add(keras.Input(batch_shape=tuple(bis), dtype=first.get("input_dtype", "float32")))
    for lc in layers_cfg:
        model.add(_k1_layer(lc))
    with h5py.File(h5_path, "r") as f:
        root = f[weights_group] if weights_group else f
        for lc in layers_cfg:
            cn, name = lc["class_name"], lc["config"]["name"]
            if name not in root:
                continue
            t = _legacy_arrays(root[name])
            if cn == "Bidirectional":
                inner = lc["config"]["layer"]
                w = (_k1_arrays(inner["class_name"], t, f"forward_{inner['config']['name']}_")
                     + _k1_arrays(inner["class_name"], t, f"backward_{inner['config']['name']}_"))
            else:
                w = _k1_arrays(cn, t)
            if w is not None:
                model.get_layer(name).set_weights(w)
    source = ("the file's own model_config" if json_path is None else os.path.basename(json_path))
    how = ("Keras 1.x file: architecture from " + source + " translated to Keras 3 "
           "layers (output_dim -> units, inner_activation -> recurrent_activation, Dropout p -> rate, Dense bias -> use_bias); "
           "per-gate tensors W_*/U_*/b_* concatenated in Keras's gate order (LSTM i, f, c, o; GRU z, r, h with "
           "reset_after=False; Bidirectional forward_*/backward_* halves) and set with layer.set_weights")
    return model, how


def load_tfjs(path):
    """TF.js layers model: modelTopology.model_config rebuilt with Keras's legacy deserializer
    (after the Keras 2 cleaning), shards read as little-endian float32 in manifest order, each
    manifest name matched to the Keras weight (layer name + variable name)."""
    d = os.path.dirname(path)
    with open(path) as f:
        doc = json.load(f)
    removed = []
    cfg = extra_clean(fc.clean_keras2_config(doc["modelTopology"]["model_config"], removed), removed)
    if cfg["class_name"] in ("Model", "Functional"):
        model = build_legacy_functional(cfg, removed)
    else:
        model = fc.build_from_config(cfg, removed)
    blobs = {}
    for group in doc["weightsManifest"]:
        data = b"".join(open(os.path.join(d, p), "rb").read() for p in group["paths"])
        off = 0
        for w in group["weights"]:
            assert w["dtype"] == "float32", w
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            blobs[w["name"]] = np.frombuffer(data, "<f4", count=n, offset=off).reshape(w["shape"])
            off += 4 * n
    used = set()
    for layer in model.layers:
        vals = []
        for v in layer.weights:
            parts = v.path.split("/")
            cands = ["/".join(parts[i:]) for i in range(len(parts))]
            cands += [f"{layer.name}/{parts[-1]}"]
            name = next(c for c in cands if c in blobs)
            used.add(name)
            vals.append(blobs[name])
        if vals:
            layer.set_weights(vals)
    assert used == set(blobs), set(blobs) - used
    how = ("TF.js layers model: modelTopology.model_config rebuilt with Keras's legacy config deserializer after "
           "removing/adjusting: " + ("; ".join(dict.fromkeys(removed)) or "nothing") + "; shards read as little-endian "
           "float32 in manifest order, each manifest name matched to the Keras weight and set with layer.set_weights")
    return model, how


def extra_clean(cfg, removed):
    """Changes beyond fixtures_corpus.clean_keras2_config that these files need."""
    def fix(layer):
        cn, c = layer["class_name"], layer["config"]
        for k, v in c.items():
            # tf.keras 1.13-2.2 wrote {"dtype": "float32"} into every initializer's config.
            if k.endswith("_initializer") and isinstance(v, dict) and isinstance(v.get("config"), dict) \
                    and v["config"].pop("dtype", None) is not None:
                removed.append("initializer dtype")
        if cn != "InputLayer" and c.get("dtype") in ("int32", "int64"):
            # Keras 2.0 wrote the Embedding's *input* dtype here; Keras 3 would make int weights.
            removed.append(f"{cn}.dtype {c['dtype']} -> float32 (Keras 2.0 stored the input dtype)")
            c["dtype"] = "float32"
    fc._walk_layers(cfg, fix)
    return cfg


def _legacy_layer(lc, removed):
    """One layer from a legacy {class_name, config} dict, with Keras's legacy deserializer,
    dropping keyword arguments Keras 3 rejects (recorded in `removed`)."""
    from keras.src.legacy.saving import saving_utils
    d = {"class_name": lc["class_name"], "config": json.loads(json.dumps(lc["config"]))}
    for _ in range(20):
        try:
            return saving_utils.model_from_config(json.loads(json.dumps(d)))
        except (ValueError, TypeError) as e:
            import re
            m = re.search(r"Unrecognized keyword arguments passed to (\w+): (\{.*\})", str(e))
            if not m:
                raise
            keys = re.findall(r"'(\w+)':", m.group(2))
            for k in keys:
                d["config"].pop(k, None)
            removed.extend(f"{lc['class_name']}.{k}" for k in keys)
    raise RuntimeError("could not rebuild layer " + lc["class_name"])


def build_legacy_functional(cfg, removed):
    """Rebuild a Keras 1/2 functional model_config by calling each layer on its inbound tensors
    (Keras 3's legacy deserializer rejects an RNN node with the input plus initial states:
    "expects 1 input(s), but it received 3"). An RNN node with k > 1 tensors is called as
    layer(x, initial_state=[the other k-1]), as Keras 2 did."""
    c = cfg["config"]
    produced = {}
    pending = list(c["layers"])
    objs = {}
    for _ in range(len(pending) + 5):
        if not pending:
            break
        rest = []
        for lc in pending:
            name = lc.get("name") or lc["config"]["name"]
            if lc["class_name"] == "InputLayer":
                lcfg = lc["config"]
                shape = lcfg.get("batch_input_shape") or lcfg.get("batch_shape")
                produced[(name, 0)] = [keras.Input(batch_shape=tuple(shape), dtype=lcfg.get("dtype", "float32"), name=name)]
                continue
            nodes = lc.get("inbound_nodes", [])
            if not all((n[0], n[1]) in produced for node in nodes for n in node):
                rest.append(lc)
                continue
            layer = objs.get(name) or _legacy_layer(lc, removed)
            objs[name] = layer
            for ni, node in enumerate(nodes):
                ins = [produced[(n[0], n[1])][n[2]] for n in node]
                if lc["class_name"] in RNN_CLASSES and len(ins) > 1:
                    out = layer(ins[0], initial_state=ins[1:])
                    removed.append(f"{name}: called with initial_state = {len(ins) - 1} tensors")
                elif len(ins) == 1 and lc["class_name"] not in ("Concatenate", "Add", "Multiply", "Average", "Subtract", "Maximum", "Minimum", "Dot"):
                    out = layer(ins[0])
                else:
                    out = layer(ins)
                produced[(name, ni)] = keras.tree.flatten(out)
        pending = rest
    if pending:
        raise RuntimeError("unresolved inbound nodes: " + ", ".join(l["config"]["name"] for l in pending))
    ins = [produced[(n, i)][j] for n, i, j in c["input_layers"]]
    outs = [produced[(n, i)][j] for n, i, j in c["output_layers"]]
    return keras.Model(ins, outs if len(outs) > 1 else outs[0], name=c.get("name"))


def load_legacy_h5(path):
    try:
        return keras.models.load_model(path, compile=False), "keras.models.load_model(compile=False)"
    except Exception as e:
        first_error = f"{type(e).__name__}: {str(e).splitlines()[0][:160]}"
    removed = []
    with h5py.File(path, "r") as f:
        cfg = json.loads(_s(f.attrs["model_config"]))
        version = _s(f.attrs.get("keras_version", ""))
    if version.startswith("1"):
        return load_keras1_weights(path, None, cfg, weights_group="model_weights")
    with h5py.File(path, "r") as f:
        cfg = extra_clean(fc.clean_keras2_config(cfg, removed), removed)
        if cfg["class_name"] in ("Model", "Functional"):
            model = build_legacy_functional(cfg, removed)
            how_built = "rebuilt layer by layer from the stored model_config (each layer with Keras's legacy deserializer, called on its inbound tensors)"
        else:
            model = fc.build_from_config(cfg, removed)
            how_built = "rebuilt with Keras's legacy config deserializer (keras.src.legacy.saving.saving_utils.model_from_config)"
        n = fc.load_legacy_weights(model, f["model_weights"] if "model_weights" in f else f)
    how = (f"keras.models.load_model refused it ({first_error}); {how_built} after removing/adjusting: "
           + ("; ".join(dict.fromkeys(removed)) or "nothing")
           + f"; {n} weight arrays read with h5py in weight_names order and set with layer.set_weights")
    return model, how


# ---------------------------------------------------------------- inputs
def _consumers(model, tensor):
    out = []
    for layer in model.layers:
        for node in getattr(layer, "_inbound_nodes", []):
            if any(t is tensor for t in keras.tree.flatten(node.input_tensors)):
                out.append(layer)
    return out


def make_inputs(model, seed, one_hot=False):
    rng = np.random.RandomState(seed)
    xs, desc = [], []
    for k, t in enumerate(model.inputs):
        shape = [d for d in t.shape]
        cons = _consumers(model, t)
        emb = next((l for l in cons if isinstance(l, keras.layers.Embedding)), None)
        n = N
        if len(shape) >= 4:
            n = 1  # video / image sequences: one sample keeps the fixture small
        dims = [n] + [DEFAULT_T if d is None else int(d) for d in shape[1:]]
        if emb is not None:
            x = rng.randint(0, emb.input_dim, size=dims).astype("int32")
            desc.append(f"input {k}: int32 token ids uniform in [0, {emb.input_dim}) shape {dims}")
        elif len(shape) >= 4:
            x = (rng.randint(0, 16, size=dims) / 15.0).astype("float32")
            desc.append(f"input {k}: float32 pixels in {{0, 1/15, ..., 1}} (randint(0,16)/15) shape {dims}")
        elif one_hot and len(shape) == 3 and shape[2] is not None:
            x = np.eye(shape[2], dtype="float32")[rng.randint(0, shape[2], size=dims[:2])]
            desc.append(f"input {k}: float32 one-hot rows (index uniform in [0, {shape[2]})) shape {dims}")
        else:
            x = rng.randn(*dims).astype("float32")
            desc.append(f"input {k}: float32 standard normal shape {dims}" +
                        (" (T=None in the file)" if len(shape) > 1 and shape[1] is None else ""))
        xs.append(x)
    return xs, desc


def save_arrays(d, stem, arrays):
    names = []
    for k, a in enumerate(arrays):
        base = stem if len(arrays) == 1 else f"{stem}{k}"
        if a.nbytes > BIG:
            np.savez_compressed(os.path.join(d, base + ".npz"), **{base: a})
            names.append(base + ".npz")
        else:
            np.save(os.path.join(d, base + ".npy"), a)
            names.append(base + ".npy")
    return names


def clear_generated(d, keep):
    for f in os.listdir(d):
        p = os.path.join(d, f)
        if f in keep or os.path.isdir(p):
            continue
        if f in GENERATED or f.endswith((".npy", ".npz")):
            os.remove(p)


# ---------------------------------------------------------------- driver
def model_path(entry):
    d = os.path.join(CORPUS_OUT, entry["name"])
    return d, os.path.join(d, entry["files"][0]["file"])


def predict(model, xs):
    return [np.asarray(y, dtype="float32") for y in as_list(model.predict(xs if len(xs) > 1 else xs[0], verbose=0))]


def run_one(entry):
    d, path = model_path(entry)
    keep = {f["file"] for f in entry["files"]}
    clear_generated(d, keep)
    seed = int(hashlib.sha256(entry["name"].encode()).hexdigest()[:8], 16) % (2 ** 31)
    fresh(seed % 100000)
    version, backend, tfjs = stored_version(path)
    for comp in entry["files"][1:]:
        if version is None and comp["file"].endswith(".json"):
            with open(os.path.join(d, comp["file"])) as f:
                version = json.load(f).get("keras_version")  # weights-only file: its to_json() says
    res = {"name": entry["name"], "file_keras_version": version, "backend": backend, "tfjs_converter": tfjs}
    try:
        model, how = load(path, entry)
    except Exception as e:
        res.update(status="keras-cannot-load", error=f"{type(e).__name__}: {str(e).splitlines()[0][:300]}")
        return res
    total, trainable, non_trainable = param_totals(model)
    res.update(how_loaded=how, total_params=total, trainable_params=trainable,
               non_trainable_params=non_trainable, model_class=model.__class__.__name__,
               layer_classes=sorted({l.__class__.__name__ for l in model.layers}))
    with open(os.path.join(d, "summary.txt"), "w", encoding="utf-8") as f:
        f.write(summary_text(model) + "\n")
    xs, xdesc = make_inputs(model, seed, one_hot=entry.get("input") == "one-hot")
    ys3 = predict(model, xs)
    hs = fc._uses_hard_sigmoid(model)
    old = old_hard_sigmoid(version, tfjs)
    meta = {
        "file": entry["files"][0]["file"], "name": entry["name"], "file_keras_version": version,
        "backend": backend, "tfjs_converter": tfjs, "how_loaded": how,
        "keras_version": KERAS_VERSION, "tf_version": TF_VERSION, "input_seed": seed,
        "inputs_description": xdesc, "count_params": total, "trainable_params": trainable,
        "non_trainable_params": non_trainable,
        "model_inputs": [getattr(t, "name", None) for t in model.inputs],
        "inputs": save_arrays(d, "X", xs),
        "input_shapes": [list(x.shape) for x in xs],
        "input_dtypes": [str(x.dtype) for x in xs],
        "output_shapes": [list(y.shape) for y in ys3],
        "hard_sigmoid_layers": hs,
        "hard_sigmoid_semantics": "keras2" if old else "keras3",
        "summary": "summary.txt",
        "layers": [{k: r[k] for k in ("name", "class_name", "output_shape", "params")} for r in layer_records(model)],
    }
    if hs and old:
        ys2 = predict(fc.keras2_semantics_model(model), xs)
        meta["outputs"] = save_arrays(d, "Y", ys2)
        meta["outputs_note"] = ("Y: the writing framework's semantics, hard_sigmoid = clip(0.2x + 0.5, 0, 1) (Keras 3 model with "
                                "that activation swapped in for " + ", ".join(hs) + ")")
        diff = max(float(np.max(np.abs(a - b))) for a, b in zip(ys2, ys3))
        meta["max_abs_diff_keras2_vs_keras3"] = diff
        if diff > 0:
            meta["outputs_keras3"] = save_arrays(d, "Y_keras3", ys3)
    else:
        meta["outputs"] = save_arrays(d, "Y", ys3)
        meta["outputs_note"] = "Y: model.predict with Keras 3.15" + (
            " (hard_sigmoid is Keras 3's, as in the writing framework)" if hs else "")
    write_json(os.path.join(d, "meta.json"), meta)
    res.update(status="reference", inputs=meta["inputs"], outputs=meta["outputs"],
               output_shapes=meta["output_shapes"], hard_sigmoid_semantics=meta["hard_sigmoid_semantics"],
               hard_sigmoid_layers=hs, max_abs_diff_keras2_vs_keras3=meta.get("max_abs_diff_keras2_vs_keras3"))
    return res


def write_manifest(sources, results):
    by = {r["name"]: r for r in results}
    files = []
    for e in sources:
        r = by.get(e["name"], {})
        files.append({**e, **{k: v for k, v in r.items() if k != "name"}})
    write_json(os.path.join(CORPUS_OUT, "manifest.json"), {
        "keras_version": KERAS_VERSION, "tf_version": TF_VERSION,
        "note": "Real public Keras model files (byte-exact copies) and what real Keras computes for each. "
                "Written by scripts/make_fixtures.py --section R from sources.json.",
        "files": files})
    L = ["# Real-world corpus (section R)", "",
         "Byte-exact copies of model files committed to public GitHub repositories, one folder each",
         "(`<owner>__<repo>__<file>/`: the file as committed, plus what real Keras computed for it).",
         "Provenance is in `sources.json` (written when the files were copied by `scripts/corpus_collect.py`),",
         "everything else in `manifest.json` and each folder's `meta.json` (written by",
         f"`scripts/make_fixtures.py --section R` with Keras {KERAS_VERSION} / TF {TF_VERSION}).",
         "The 18 older corpus files of `../../../../shared/corpus` keep their own folders here (section C, `summary.json`).", "",
         "| folder | repository @ commit | licence | written by | RNN content | params (Keras) | reference |",
         "|---|---|---|---|---|---:|---|"]
    for f in files:
        wb = f.get("file_keras_version") or "?"
        if f.get("tfjs_converter"):
            wb += f" → {f['tfjs_converter']}"
        ref = f.get("status", "?")
        if ref == "reference":
            if f.get("hard_sigmoid_layers") and f.get("hard_sigmoid_semantics") == "keras2":
                ref = "Keras 3.15 with the old hard_sigmoid clip(0.2x+0.5) patched in"
                if f.get("max_abs_diff_keras2_vs_keras3"):
                    ref += f"; `Y_keras3` differs by {f['max_abs_diff_keras2_vs_keras3']:.3g}"
            else:
                ref = "Keras 3.15 predict"
        L.append(f"| `{f['name']}` | [{f['repo']}]({f['url']}) @ `{f['commit'][:10]}` | {f['licence']} | {wb} | "
                 f"{f['what']} | {f.get('total_params', '—')} | {ref} |")
    L += ["", "## How each file was loaded", ""]
    for f in files:
        L.append(f"- `{f['name']}` (`{f['files'][0]['path']}`, {f['files'][0]['bytes']} bytes, last changed "
                 f"{f['files'][0]['last_commit_touching_path']}): {f.get('how_loaded') or f.get('error', '')}")
    L += ["", "## Left out", ""] + [f"- {x}" for x in LEFT_OUT]
    with open(os.path.join(CORPUS_OUT, "MANIFEST.md"), "w", encoding="utf-8") as fh:
        fh.write("\n".join(L) + "\n")


LEFT_OUT = [
    "akabe/lens-poem `word_rnn.h5`: over 4 MiB, not in the snapshot.",
    "SMU-ML-2017/Project8 `gru_model.h5`, `lstm_model.h5`: Git LFS pointers, content not in the snapshot.",
    "KonduitAI/dl4j-test-resources `tfkeras/convlstm2d_0.h5`, `convlstm2d_24.h5` (Bidirectional(ConvLSTM2D(go_backwards=True))): "
    "Keras 3 refuses to rebuild them (\"Forward layer and backward layer should have different `go_backwards` value\"), so no Keras reference.",
    "KonduitAI/dl4j-test-resources `weights/keras-attention.h5` (tf.keras 2.11 Attention): Keras 3 cannot deserialize its Attention config.",
    "olegmak02/Weather-Prediction: one of its seven .keras files kept (`wind.keras`); the others are the same stacked-GRU design.",
]


def run(only=None):
    with open(SOURCES) as f:
        sources = json.load(f)["files"]
    results = []
    old = {}
    mp = os.path.join(CORPUS_OUT, "manifest.json")
    if only and os.path.exists(mp):
        with open(mp) as f:
            old = {e["name"]: e for e in json.load(f)["files"]}
    for e in sources:
        if only and e["name"] not in only:
            if e["name"] in old:
                results.append(old[e["name"]])
            continue
        r = run_one(e)
        results.append(r)
        print(f"{r['status']:<18} {e['name']}: params={r.get('total_params')} {r.get('error', '')}")
    write_manifest(sources, results)
