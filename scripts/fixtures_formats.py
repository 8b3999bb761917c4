"""Sections B (JSON weight formats), D (bad files) and E (examples workspace).

B and E read the Keras cases that section A wrote (re-loaded with real Keras).
"""
import json
import os
import shutil
import struct
import zipfile

import h5py
import numpy as np
import keras

from fixtures_common import (BAD_DIR, EXAMPLES, JSON_DIR, KERAS_DIR, KERAS_VERSION,
                             reset_dir, write_json)


def _case_dir(case):
    d = os.path.join(KERAS_DIR, case)
    if not os.path.exists(os.path.join(d, "expected.json")):
        raise SystemExit(f"section A case {case!r} missing: run make_fixtures.py --only {case} first")
    return d


def _load(case):
    return keras.models.load_model(os.path.join(_case_dir(case), "model.keras"), compile=False)


def _expected(case):
    with open(os.path.join(_case_dir(case), "expected.json"), encoding="utf-8") as f:
        return json.load(f)


def _compact(path, obj):
    """Weights as nested lists: one line per JSON file would be unreadable and
    indent=2 triples the size; write one top-level key per line."""
    with open(path, "w", encoding="utf-8") as f:
        if isinstance(obj, dict):
            f.write("{\n")
            items = list(obj.items())
            for k, (key, v) in enumerate(items):
                f.write(f"  {json.dumps(key)}: {json.dumps(v)}{',' if k < len(items) - 1 else ''}\n")
            f.write("}\n")
        else:
            f.write("[\n")
            for k, v in enumerate(obj):
                f.write(f"  {json.dumps(v)}{',' if k < len(obj) - 1 else ''}\n")
            f.write("]\n")


def _f32list(a):
    # float32 -> python float gives the exact float32 value (shortest repr of the double),
    # so parsing it back and rounding to float32 gives the same bits.
    return np.asarray(a, dtype=np.float32).tolist()


def notebook_dump(model):
    Wx, Wh, bh = model.layers[-2].get_weights()
    Wo, bo = model.layers[-1].get_weights()
    return {"Wx": _f32list(Wx), "Wh": _f32list(Wh), "bh": _f32list(bh),
            "Wo": _f32list(Wo), "bo": _f32list(bo)}


def _tfjs_name(layer, w):
    path = getattr(w, "path", w.name)
    if isinstance(layer, keras.layers.Bidirectional) and path.startswith(layer.name + "/"):
        # the TF.js converter names Bidirectional weights forward_lstm/lstm_cell/kernel
        path = path[len(layer.name) + 1:]
    return path


def write_tfjs(model, out):
    reset_dir(out)
    manifest, blobs = [], []
    # Same order as the converter: layers in alphabetical order of their names
    # (HDF5 group iteration order), weights in each layer's own order.
    for layer in sorted(model.layers, key=lambda l: l.name):
        for w in layer.weights:
            a = np.ascontiguousarray(np.asarray(w.numpy(), dtype="<f4"))
            manifest.append({"name": _tfjs_name(layer, w), "shape": list(a.shape), "dtype": "float32"})
            blobs.append(a.tobytes())
    with open(os.path.join(out, "group1-shard1of1.bin"), "wb") as f:
        f.write(b"".join(blobs))
    doc = {
        "format": "layers-model",
        "generatedBy": f"keras v{KERAS_VERSION}",
        "convertedBy": "rnn-inspector fixture generator",
        "modelTopology": {"keras_version": KERAS_VERSION, "backend": keras.backend.backend(),
                          "model_config": json.loads(model.to_json())},
        "weightsManifest": [{"paths": ["group1-shard1of1.bin"], "weights": manifest}],
    }
    write_json(os.path.join(out, "model.json"), doc)
    return doc


def make_json():
    reset_dir(JSON_DIR)
    m15 = _load("seed_n15")
    dump = notebook_dump(m15)
    _compact(os.path.join(JSON_DIR, "notebook_dump.json"), dump)
    _compact(os.path.join(JSON_DIR, "notebook_dump_aliases.json"), {
        "W_xh": dump["Wx"], "W_hh": dump["Wh"], "b_h": dump["bh"], "W_ho": dump["Wo"], "b_o": dump["bo"]})
    (rnn, dense) = m15.layers[-2], m15.layers[-1]
    k, rk, b = rnn.get_weights()
    dk, db = dense.get_weights()
    _compact(os.path.join(JSON_DIR, "notebook_dump_keras_names.json"), {
        rnn.name: {"kernel": _f32list(k), "recurrent_kernel": _f32list(rk), "bias": _f32list(b)},
        dense.name: {"kernel": _f32list(dk), "bias": _f32list(db)}})

    for fname, case in (("weight_list.json", "seed_n15"), ("weight_list_stacked.json", "stacked"),
                        ("weight_list_lstm.json", "lstm")):
        m = m15 if case == "seed_n15" else _load(case)
        _compact(os.path.join(JSON_DIR, fname), [_f32list(w) for w in m.get_weights()])

    for fname, case in (("model_config.json", "stacked"), ("model_config_lstm.json", "lstm_stacked")):
        m = _load(case)
        write_json(os.path.join(JSON_DIR, fname), json.loads(m.to_json()))
        e = _expected(case)
        write_json(os.path.join(JSON_DIR, fname.replace(".json", ".expected.json")), {
            "source_case": case, "keras_version": e["keras_version"], "model_class": e["model_class"],
            "layers": [{k: l[k] for k in ("name", "class_name", "output_shape", "params", "weights")}
                       for l in e["layers"]],
            "total_params": e["total_params"], "trainable_params": e["trainable_params"],
            "non_trainable_params": e["non_trainable_params"], "summary_text": e["summary_text"]})

    sources = {}
    for case in ("seed_n15", "bidir_concat"):
        m = m15 if case == "seed_n15" else _load(case)
        out = os.path.join(JSON_DIR, f"tfjs_{case}")
        write_tfjs(m, out)
        for f in os.listdir(_case_dir(case)):
            if f.endswith(".npy"):
                shutil.copy(os.path.join(_case_dir(case), f), os.path.join(out, f))
        sources[f"tfjs_{case}"] = case
    write_json(os.path.join(JSON_DIR, "index.json"), {
        "keras_version": KERAS_VERSION,
        "notebook_dump.json": {"source_case": "seed_n15", "keys": ["Wx", "Wh", "bh", "Wo", "bo"],
                               "X": "../keras/seed_n15/X.npy", "Y": "../keras/seed_n15/Y.npy"},
        "notebook_dump_aliases.json": {"source_case": "seed_n15", "keys": ["W_xh", "W_hh", "b_h", "W_ho", "b_o"],
                                       "X": "../keras/seed_n15/X.npy", "Y": "../keras/seed_n15/Y.npy"},
        "notebook_dump_keras_names.json": {"source_case": "seed_n15",
                                           "keys": {rnn.name: ["kernel", "recurrent_kernel", "bias"],
                                                    dense.name: ["kernel", "bias"]},
                                           "X": "../keras/seed_n15/X.npy", "Y": "../keras/seed_n15/Y.npy"},
        "weight_list.json": {"source_case": "seed_n15", "X": "../keras/seed_n15/X.npy", "Y": "../keras/seed_n15/Y.npy"},
        "weight_list_stacked.json": {"source_case": "stacked", "X": "../keras/stacked/X.npy", "Y": "../keras/stacked/Y.npy"},
        "weight_list_lstm.json": {"source_case": "lstm", "X": "../keras/lstm/X.npy", "Y": "../keras/lstm/Y.npy"},
        "model_config.json": {"source_case": "stacked", "expected": "model_config.expected.json"},
        "model_config_lstm.json": {"source_case": "lstm_stacked", "expected": "model_config_lstm.expected.json"},
        "tfjs": {k: {"source_case": v, "X": f"{k}/X.npy", "Y": f"{k}/Y.npy",
                     "expected": f"../keras/{v}/expected.json"} for k, v in sources.items()},
    })
    print("json: written", sorted(os.listdir(JSON_DIR)))


def _example_with_sidecars(folder, case, model_file, stem):
    """examples/<folder>/<stem><ext> with <stem>.inputs.npy / <stem>.predictions.npy beside it."""
    d = os.path.join(EXAMPLES, folder)
    reset_dir(d)
    s = _case_dir(case)
    shutil.copy(os.path.join(s, model_file), os.path.join(d, stem + os.path.splitext(model_file)[1]))
    shutil.copy(os.path.join(s, "X.npy"), os.path.join(d, f"{stem}.inputs.npy"))
    shutil.copy(os.path.join(s, "Y.npy"), os.path.join(d, f"{stem}.predictions.npy"))


def make_examples():
    src15 = _case_dir("seed_n15")
    d = os.path.join(EXAMPLES, "seed-simplernn")
    reset_dir(d)
    for f in ("model.h5", "model.keras", "X.npy", "Y.npy"):
        shutil.copy(os.path.join(src15, f), os.path.join(d, f))
    Y = np.load(os.path.join(src15, "Y.npy"))
    wrong = Y.copy()
    wrong[3] += np.float32(0.1)  # sample 3 perturbed by +0.1: the failing-verification demo
    np.save(os.path.join(d, "wrong_predictions.npy"), wrong.astype("float32"))

    _example_with_sidecars("stacked", "stacked", "model.h5", "model")
    _example_with_sidecars("lstm", "lstm", "model.keras", "lstm")

    d = os.path.join(EXAMPLES, "json")
    reset_dir(d)
    _compact(os.path.join(d, "notebook_dump.json"), notebook_dump(_load("seed_n15")))
    shutil.copy(os.path.join(src15, "X.npy"), os.path.join(d, "X.npy"))
    shutil.copy(os.path.join(src15, "Y.npy"), os.path.join(d, "Y.npy"))
    print("examples: written")


def make_bad():
    reset_dir(BAD_DIR)
    src = _case_dir("seed_n1")
    with open(os.path.join(src, "model.h5"), "rb") as f:
        h5 = f.read()
    with open(os.path.join(BAD_DIR, "truncated.h5"), "wb") as f:
        f.write(h5[:2000])
    with open(os.path.join(BAD_DIR, "not_hdf5.h5"), "w") as f:
        f.write("This is a text file with an .h5 extension; it is not HDF5.\n")
    open(os.path.join(BAD_DIR, "empty.h5"), "wb").close()
    with open(os.path.join(BAD_DIR, "not_a_zip.keras"), "w") as f:
        f.write("This is a text file with a .keras extension; it is not a zip archive.\n")
    open(os.path.join(BAD_DIR, "empty.keras"), "wb").close()

    # corrupt.keras: the real seed_n1 model.keras with bytes inside the stored
    # model.weights.h5 member overwritten -> the zip's CRC-32 check fails for that member.
    with open(os.path.join(src, "model.keras"), "rb") as f:
        keras_bytes = bytearray(f.read())
    with zipfile.ZipFile(os.path.join(src, "model.keras")) as z:
        info = z.getinfo("model.weights.h5")
    # local header: 30 bytes + name + extra, then the member data
    lh = info.header_offset
    name_len, extra_len = struct.unpack("<HH", keras_bytes[lh + 26:lh + 30])
    data_start = lh + 30 + name_len + extra_len
    mid = data_start + info.compress_size // 2
    keras_bytes[mid:mid + 64] = b"\xde\xad\xbe\xef" * 16
    with open(os.path.join(BAD_DIR, "corrupt.keras"), "wb") as f:
        f.write(bytes(keras_bytes))

    # Valid zips with wrong contents.
    with zipfile.ZipFile(os.path.join(src, "model.keras")) as z:
        members = {n: z.read(n) for n in z.namelist()}
    with zipfile.ZipFile(os.path.join(BAD_DIR, "missing_weights.keras"), "w") as z:
        for n in ("metadata.json", "config.json"):
            z.writestr(n, members[n])
    with zipfile.ZipFile(os.path.join(BAD_DIR, "bad_config.keras"), "w") as z:
        z.writestr("metadata.json", members["metadata.json"])
        z.writestr("config.json", members["config.json"][: len(members["config.json"]) // 2])
        z.writestr("model.weights.h5", members["model.weights.h5"])

    with h5py.File(os.path.join(BAD_DIR, "plain.h5"), "w") as f:
        f.create_dataset("temperature", data=np.linspace(10, 20, 12, dtype="float64").reshape(3, 4))
        f.attrs["description"] = "a plain HDF5 file, not a Keras model"
        g = f.create_group("station")
        g.create_dataset("id", data=np.arange(3, dtype="int32"))

    with open(os.path.join(BAD_DIR, "bad.json"), "w") as f:
        f.write('{"Wx": [[0.1, 0.2, 0.3], [0.4, 0.5\n')
    # wrong_shapes.json: the seed_n15 notebook dump with Wh cut to 4x5 (must be MxM = 5x5).
    dump = notebook_dump(_load("seed_n15"))
    dump["Wh"] = dump["Wh"][:4]
    _compact(os.path.join(BAD_DIR, "wrong_shapes.json"), dump)
    desc = {
        "truncated.h5": "first 2000 bytes of test/fixtures/keras/seed_n1/model.h5 (valid HDF5 signature, truncated)",
        "not_hdf5.h5": "plain text with an .h5 extension",
        "empty.h5": "0 bytes",
        "empty.keras": "0 bytes",
        "not_a_zip.keras": "plain text with a .keras extension",
        "corrupt.keras": "seed_n1/model.keras with 64 bytes inside the stored model.weights.h5 member overwritten "
                         "(zip directory intact; that member fails its CRC-32 check)",
        "missing_weights.keras": "valid zip with metadata.json and config.json but no model.weights.h5",
        "bad_config.keras": "valid zip whose config.json is cut in half (invalid JSON); weights intact",
        "plain.h5": "valid HDF5 (h5py) with datasets /temperature (3x4 float64) and /station/id, no Keras attributes",
        "bad.json": "invalid JSON (unterminated)",
        "wrong_shapes.json": "seed_n15 notebook dump {Wx, Wh, bh, Wo, bo} with Wh of shape 4x5 instead of 5x5",
    }
    index = {}
    for name, what in desc.items():
        entry = {"what": what}
        if not name.endswith(".json"):
            # What real Keras says when asked to open it.
            try:
                keras.models.load_model(os.path.join(BAD_DIR, name), compile=False)
                entry["keras_load_model"] = "loaded (unexpected)"
            except Exception as e:
                msg = str(e).replace(BAD_DIR + os.sep, "").splitlines()[0][:200]
                entry["keras_load_model"] = f"{type(e).__name__}: {msg}"
        index[name] = entry
    write_json(os.path.join(BAD_DIR, "index.json"), index)
    print("bad: written", sorted(os.listdir(BAD_DIR)))
