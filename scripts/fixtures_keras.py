"""Section A writer: build, randomise, (optionally) train, save, predict, describe."""
import os
import traceback

import numpy as np
import keras

from fixtures_common import (KERAS_DIR, KERAS_VERSION, TF_VERSION, as_list, fresh,
                             layer_records, param_totals, random_weights, reset_dir,
                             summary_text, write_json)
from fixtures_cases import CASES


def _err(e):
    """Short, readable reason from a Keras exception (skips the 'Exception encountered' header)."""
    import re
    lines = [l.strip() for l in re.sub(r"\x1b\[[0-9;]*m", "", str(e)).splitlines() if l.strip()]
    if len(lines) > 1 and lines[0].startswith("Exception encountered"):
        lines = lines[1:]
    return f"{type(e).__name__}: {lines[0][:300] if lines else ''}"


def _train_one_batch(model, X, seed):
    rng = np.random.RandomState(seed + 7)
    targets = [rng.randn(*[int(d) for d in (x.shape)]).astype("float32")
               for x in as_list(model.predict(X if len(X) > 1 else X[0], verbose=0))]
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3),
                  loss=["mse"] * len(targets) if len(targets) > 1 else "mse")
    model.train_on_batch(X if len(X) > 1 else X[0], targets if len(targets) > 1 else targets[0])


def make_case(name, out_root=KERAS_DIR, verify=True):
    seed, builder = CASES[name]
    fresh(seed)
    try:
        spec = builder()
    except Exception as e:  # Keras refused the configuration
        return {"case": name, "refused": _err(e)}
    model = spec["model"]
    X = [np.asarray(x) for x in spec["X"]]
    train = bool(spec.get("train", False))
    light = bool(spec.get("light", False))
    feed = X if len(X) > 1 else X[0]

    weights = random_weights(model, seed, spec.get("scale", 0.5))
    if train:
        _train_one_batch(model, X, seed)
        model.set_weights(weights)  # stored weights are the random ones, not the trained ones
    try:
        Y = [np.asarray(y, dtype="float32") for y in as_list(model.predict(feed, verbose=0))]
    except Exception as e:
        return {"case": name, "refused": "predict: " + _err(e)}
    if not all(np.all(np.isfinite(y)) for y in Y):
        return {"case": name, "refused": "generator: predictions not finite with these random weights"}

    out = os.path.join(out_root, name)
    reset_dir(out)
    skipped, files = {}, []
    formats = ["model.h5", "model.keras"] + ([] if light else ["model.weights.h5"])
    for fmt in formats:
        path = os.path.join(out, fmt)
        try:
            if fmt == "model.weights.h5":
                model.save_weights(path)
            else:
                model.save(path)
            files.append(fmt)
        except Exception as e:
            skipped[fmt] = _err(e)
            if os.path.exists(path):
                os.remove(path)
    if light:
        skipped["model.weights.h5"] = "not written for activation cases (size)"

    in_names = ["X.npy"] if len(X) == 1 else [f"X{k}.npy" for k in range(len(X))]
    out_names = ["Y.npy"] if len(Y) == 1 else [f"Y{k}.npy" for k in range(len(Y))]
    for n, a in zip(in_names, X):
        np.save(os.path.join(out, n), a)
    for n, a in zip(out_names, Y):
        np.save(os.path.join(out, n), a)

    # Self-check: every saved full-model file, re-loaded by Keras, predicts the same Y.
    reload_check = {}
    if verify:
        for fmt in files:
            if fmt == "model.weights.h5":
                continue
            try:
                m2 = keras.models.load_model(os.path.join(out, fmt), compile=False)
                Y2 = as_list(m2.predict(feed, verbose=0))
                err = max(float(np.max(np.abs(np.asarray(a) - b))) for a, b in zip(Y2, Y))
                reload_check[fmt] = err
                if err > 1e-5:
                    print(f"  WARNING {name}/{fmt}: reloaded predictions differ by {err}")
            except Exception as e:
                reload_check[fmt] = f"reload failed: {type(e).__name__}: {str(e)[:200]}"
                print(f"  WARNING {name}/{fmt}: {reload_check[fmt]}")

    total, trainable, non_trainable = param_totals(model)
    rnn_cfg = []
    for l in model.layers:
        inner = getattr(l, "forward_layer", None) or getattr(l, "layer", None)
        for cand in ([l] + ([inner] if inner is not None else [])):
            if isinstance(cand, keras.layers.RNN):
                c = cand.get_config()
                rnn_cfg.append({k: c.get(k) for k in (
                    "name", "units", "activation", "recurrent_activation", "use_bias",
                    "return_sequences", "return_state", "go_backwards", "reset_after") if k in c}
                    | {"class_name": cand.__class__.__name__, "layer": l.name})
    expected = {
        "case": name,
        "description": spec["description"],
        "keras_version": KERAS_VERSION,
        "tf_version": TF_VERSION,
        "model_class": model.__class__.__name__,
        "model_name": model.name,
        "layers": layer_records(model),
        "total_params": total,
        "trainable_params": trainable,
        "non_trainable_params": non_trainable,
        "inputs": in_names,
        "input_shapes": [list(a.shape) for a in X],
        "input_dtypes": [str(a.dtype) for a in X],
        "outputs": out_names,
        "output_shapes": [list(a.shape) for a in Y],
        "model_input_names": [t._keras_history.operation.name for t in model.inputs],
        "model_output_layers": [t._keras_history.operation.name for t in model.outputs],
        "rnn_layers": rnn_cfg,
        "summary_text": summary_text(model),
        "optimizer_state": train,
        "weights_seed": seed,
        "files": files + in_names + out_names,
        "skipped_formats": skipped,
        "reload_max_abs_diff": reload_check,
    }
    write_json(os.path.join(out, "expected.json"), expected)
    return expected


def run(only=None):
    names = [n for n in CASES if only is None or n in only]
    refused, done = [], []
    for n in names:
        try:
            r = make_case(n)
        except Exception:
            traceback.print_exc()
            r = {"case": n, "refused": "generator error (see traceback)"}
        if "refused" in r:
            print(f"SKIP {n}: Keras refused: {r['refused']}")
            refused.append(r)
            d = os.path.join(KERAS_DIR, n)
            if os.path.isdir(d):
                import shutil
                shutil.rmtree(d)
        else:
            print(f"ok   {n}: params={r['total_params']} outputs={r['output_shapes']}")
            done.append(n)
    return done, refused
