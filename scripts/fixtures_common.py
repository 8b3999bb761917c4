"""Shared helpers for the fixture generator (scripts/make_fixtures.py).

Everything here runs real TensorFlow/Keras; nothing is typed by hand.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
os.environ.setdefault("PYTHONHASHSEED", "0")

import json
import re
import shutil

import numpy as np
import keras
import tensorflow as tf

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIX = os.path.join(REPO, "test", "fixtures")
KERAS_DIR = os.path.join(FIX, "keras")
JSON_DIR = os.path.join(FIX, "json")
CORPUS_OUT = os.path.join(FIX, "corpus")
BAD_DIR = os.path.join(FIX, "bad")
EXAMPLES = os.path.join(REPO, "examples")
CORPUS_IN = os.environ.get("RNN_INSPECTOR_CORPUS", "/work/shared/corpus/files")

KERAS_VERSION = keras.__version__
TF_VERSION = tf.__version__


def fresh(seed):
    """Reset Keras name counters and all RNGs so that a case is reproducible
    regardless of which other cases ran before it in the same process."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(seed)
    np.random.seed(seed)


def reset_dir(path, keep=("README.md",)):
    """Empty a generated folder, keeping hand-written files such as README.md."""
    if os.path.isdir(path):
        for name in os.listdir(path):
            if name in keep:
                continue
            p = os.path.join(path, name)
            if os.path.isdir(p):
                shutil.rmtree(p)
            else:
                os.remove(p)
    os.makedirs(path, exist_ok=True)


def _is_flat(v):
    return isinstance(v, list) and all(x is None or isinstance(x, (bool, int, float)) for x in v)


def write_json(path, obj, indent=2):
    """Pretty JSON with innermost scalar lists (shapes) kept on one line."""
    flat = []

    def walk(v):
        if _is_flat(v) and indent:
            flat.append(v)
            return f"@@FLAT{len(flat) - 1}@@"
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        return v

    text = json.dumps(walk(obj), indent=indent, ensure_ascii=False)
    text = re.sub(r'"@@FLAT(\d+)@@"', lambda m: json.dumps(flat[int(m.group(1))]), text)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
        f.write("\n")


def shape_list(shape):
    return [None if d is None else int(d) for d in shape]


def layer_output_shape(layer):
    """Output shape as model.summary() reports it: one shape -> list,
    several outputs -> list of lists (same logic as keras format_layer_shape)."""
    try:
        outputs = layer._inbound_nodes[0].output_tensors
    except (AttributeError, IndexError):
        try:
            outputs = layer.output
        except Exception:
            return None
    flat = keras.tree.flatten(outputs)
    shapes = [shape_list(t.shape) for t in flat]
    if len(shapes) == 1:
        return shapes[0]
    return shapes


def summary_text(model):
    lines = []
    model.summary(print_fn=lambda s, **kw: lines.append(s))
    text = "\n".join(lines)
    return text


def layer_records(model):
    out = []
    for l in model.layers:
        out.append({
            "name": l.name,
            "class_name": l.__class__.__name__,
            "output_shape": layer_output_shape(l),
            "params": int(l.count_params()) if l.built else 0,
            "trainable_params": int(sum(int(np.prod(w.shape)) for w in l.trainable_weights)),
            "weights": [{"name": getattr(w, "path", w.name), "shape": shape_list(w.shape),
                         "trainable": bool(w.trainable)}
                        for w in l.weights],
        })
    return out


def param_totals(model):
    total = int(model.count_params())
    trainable = int(sum(int(np.prod(w.shape)) for w in model.trainable_weights))
    return total, trainable, total - trainable


def random_weights(model, seed, scale=0.5):
    """Replace every weight with seeded random values (biases non-zero,
    BatchNormalization moving_variance strictly positive)."""
    rng = np.random.RandomState(seed)
    new = []
    for w in model.weights:
        shape = tuple(int(d) for d in w.shape)
        path = getattr(w, "path", w.name)
        if "moving_variance" in path:
            v = rng.uniform(0.5, 1.5, size=shape)
        elif path.endswith("gamma"):
            v = 1.0 + rng.randn(*shape) * 0.2
        else:
            v = rng.randn(*shape) * scale
        new.append(np.asarray(v, dtype=w.dtype if isinstance(w.dtype, str) else "float32"))
    model.set_weights(new)
    return new


def as_list(y):
    if isinstance(y, dict):
        return list(y.values())
    if isinstance(y, (list, tuple)):
        return list(y)
    return [y]


def file_size_report(root):
    total = 0
    for d, _, files in os.walk(root):
        for f in files:
            total += os.path.getsize(os.path.join(d, f))
    return total
