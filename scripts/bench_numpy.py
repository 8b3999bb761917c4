#!/usr/bin/env python3
"""NumPy side of `npm run bench` (scripts/bench.mjs): replays each workload the way the user's
notebooks do, times it, and writes its outputs so the bench can check that both sides agree.

    python3 scripts/bench_numpy.py DIR [--warmup-ms 300] [--budget-ms 1500] [--min-runs 3] [--max-runs 200] [--backward]

--backward: the backward rows instead (scripts/bench_backward.mjs): each manifest also names a
target .npy; the script times the loss and the gradients by BPTT (see "backward (BPTT)" below).

DIR holds index.json ({"workloads": [ids]}) and, per workload, DIR/<id>/manifest.json with the
layer chain (classes, the config keys the forward pass needs, weight files written by the core's
writeNpy as float32, as Keras stores them) and the input .npy files. For each workload this script

  * loads the weights and casts them to float64 once (what `x_t.dot(Wx)` with a float64 x does on
    every call anyway: the values are exact, only the cast is hoisted out of the timed loop);
  * checks the inputs against NumPy's own generator (`np.random.seed(s); X = np.random.randn(...)`);
  * replays the model vectorized over the batch, one time step at a time, as the notebooks write it:
        h = tanh(x_t @ Wx + h @ Wh + bh)             SimpleRNN
        LSTM gates i, f, c, o; GRU z, r, h (reset_after or not); Bidirectional merge;
        Embedding lookup; Dense; Dropout is the identity at inference;
  * times it with time.perf_counter: warm-up runs for --warmup-ms (at least one), then the median
    of clamp(budget / one run, min-runs, max-runs) runs;
  * saves the outputs as DIR/<id>/numpy_out<k>.npy (float64).

It prints one JSON object on stdout: interpreter, NumPy, the BLAS library and the kernel it runs,
its thread count, and the timings. Any failure exits non-zero with the reason on stderr.
"""
import argparse
import ctypes
import glob
import json
import math
import os
import platform
import statistics
import sys
import time

import numpy as np

# ----------------------------------------------------------------------------- activations

def _sigmoid(x):
    # 1 / (1 + exp(-x)) overflows harmlessly to 0 for very negative x.
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-x))


def _relu6(x):
    return np.clip(x, 0.0, 6.0)


def activation(name, keras_version):
    keras2 = bool(keras_version) and keras_version.strip()[:2] in ("1.", "2.")
    table = {
        "linear": lambda x: x,
        "tanh": np.tanh,
        "sigmoid": _sigmoid,
        "relu": lambda x: np.maximum(x, 0.0),
        "relu6": _relu6,
        "softsign": lambda x: x / (1.0 + np.abs(x)),
        "softplus": lambda x: np.logaddexp(0.0, x),
        "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))),
        "exponential": np.exp,
        "hard_sigmoid": (lambda x: np.clip(0.2 * x + 0.5, 0.0, 1.0)) if keras2 else (lambda x: _relu6(x + 3.0) / 6.0),
        "swish": lambda x: x * _sigmoid(x),
        "silu": lambda x: x * _sigmoid(x),
    }
    if name not in table:
        raise ValueError(f"activation {name!r} is not replicated by bench_numpy.py")
    return table[name]


# ----------------------------------------------------------------------------- layers


def rnn(x, layer, ws, keras_version, go_backwards=None):
    """One SimpleRNN / LSTM / GRU over x (N, T, D); returns (N, T, M) or (N, M)."""
    cls = layer["class_name"]
    c = layer["config"]
    M = int(c["units"])
    act = activation(c.get("activation") or "linear", keras_version)
    ract = activation(c.get("recurrent_activation") or "sigmoid", keras_version)
    backwards = c.get("go_backwards", False) if go_backwards is None else go_backwards
    Wx, Wh = ws["kernel"], ws["recurrent_kernel"]
    b = ws.get("bias")
    N, T, _ = x.shape
    h = np.zeros((N, M))
    cst = np.zeros((N, M))
    seq = [] if c.get("return_sequences") else None
    steps = range(T - 1, -1, -1) if backwards else range(T)
    if cls == "SimpleRNN":
        bh = b if b is not None else 0.0
        for t in steps:
            h = act(x[:, t] @ Wx + h @ Wh + bh)
            if seq is not None:
                seq.append(h)
    elif cls == "LSTM":
        bh = b if b is not None else 0.0
        for t in steps:
            z = x[:, t] @ Wx + h @ Wh + bh
            i = ract(z[:, :M])
            f = ract(z[:, M : 2 * M])
            g = act(z[:, 2 * M : 3 * M])
            o = ract(z[:, 3 * M :])
            cst = f * cst + i * g
            h = o * act(cst)
            if seq is not None:
                seq.append(h)
    elif cls == "GRU":
        if c.get("reset_after"):
            bx = b[0] if b is not None else 0.0
            bhh = b[1] if b is not None else 0.0
            for t in steps:
                xz = x[:, t] @ Wx + bx
                hz = h @ Wh + bhh
                z = ract(xz[:, :M] + hz[:, :M])
                r = ract(xz[:, M : 2 * M] + hz[:, M : 2 * M])
                hh = act(xz[:, 2 * M :] + r * hz[:, 2 * M :])
                h = z * h + (1.0 - z) * hh
                if seq is not None:
                    seq.append(h)
        else:
            bh = b if b is not None else 0.0
            Wzr, Whh = Wh[:, : 2 * M], Wh[:, 2 * M :]
            for t in steps:
                xz = x[:, t] @ Wx + bh
                zr = xz[:, : 2 * M] + h @ Wzr
                z = ract(zr[:, :M])
                r = ract(zr[:, M:])
                hh = act(xz[:, 2 * M :] + (r * h) @ Whh)
                h = z * h + (1.0 - z) * hh
                if seq is not None:
                    seq.append(h)
    else:
        raise ValueError(f"recurrent class {cls} is not replicated by bench_numpy.py")
    # Keras returns a go_backwards sequence in processing order, as collected here.
    return np.stack(seq, axis=1) if seq is not None else h


def run_layer(x, layer, ws, keras_version):
    cls = layer["class_name"]
    c = layer["config"]
    if cls in ("SimpleRNN", "LSTM", "GRU"):
        return rnn(x, layer, ws, keras_version)
    if cls == "Bidirectional":
        fwd, bwd = layer["inner"]
        yf = rnn(x, fwd, ws["inner"][0], keras_version)
        yb = rnn(x, bwd, ws["inner"][1], keras_version, go_backwards=not fwd["config"].get("go_backwards", False))
        if fwd["config"].get("return_sequences"):
            yb = yb[:, ::-1]
        mode = c.get("merge_mode", "concat")
        if mode == "concat":
            return np.concatenate([yf, yb], axis=-1)
        if mode == "sum":
            return yf + yb
        if mode == "mul":
            return yf * yb
        if mode == "ave":
            return (yf + yb) / 2.0
        raise ValueError(f"merge_mode {mode!r} is not replicated by bench_numpy.py")
    if cls == "Dense":
        y = x @ ws["kernel"]
        if "bias" in ws:
            y = y + ws["bias"]
        return activation(c.get("activation") or "linear", keras_version)(y)
    if cls == "Embedding":
        return ws["embeddings"][x.astype(np.int64)]
    if cls in ("Dropout", "SpatialDropout1D", "GaussianDropout", "GaussianNoise", "ActivityRegularization"):
        return x
    raise ValueError(f"layer class {cls} is not replicated by bench_numpy.py")


def forward(layers, weights, xs, keras_version):
    x = xs[0]
    for layer, ws in zip(layers, weights):
        x = run_layer(x, layer, ws, keras_version)
    return [x]


# ----------------------------------------------------------------------------- loading


def load_weights(d, layer):
    ws = {role: np.load(os.path.join(d, f)).astype(np.float64) for role, f in layer.get("weights", {}).items()}
    if layer.get("inner"):
        ws["inner"] = [load_weights(d, inner) for inner in layer["inner"]]
    return ws


def check_rng(manifest, xs):
    """Regenerates the inputs with NumPy's legacy generator: how many values differ, and by how much.

    The core's randn matches np.random.randn except on rare draws where glibc's log() is not
    correctly rounded (src/core/arrays/log.ts): those differ in the last bit. Both sides of the
    benchmark read the same X files, so this is reported, not timed.
    """
    code = manifest.get("rng_python")
    names = manifest.get("rng_names") or []
    if not code or len(names) != len(xs):
        return None
    ns = {"np": np}
    exec(code, ns)  # the core's own one-liner, e.g. "np.random.seed(0); X = np.random.randn(15, 10, 3)"
    n = differ = 0
    worst = 0.0
    for name, x in zip(names, xs):
        ref = np.asarray(ns[name], dtype=np.float64)
        if ref.shape != x.shape:
            return {"values": int(x.size), "differ": int(x.size), "max_abs_diff": float("inf")}
        d = np.abs(ref - x)
        n += x.size
        differ += int(np.count_nonzero(d))
        worst = max(worst, float(d.max()) if d.size else 0.0)
    return {"values": int(n), "differ": differ, "max_abs_diff": worst}


# ----------------------------------------------------------------------------- BLAS report


def _loaded_libs():
    try:
        with open("/proc/self/maps") as f:
            return sorted({line.split()[-1] for line in f if "/" in line and ".so" in line})
    except OSError:
        return []


def blas_info():
    """Which BLAS NumPy runs, the kernel it picked at run time and its thread count."""
    info = {"source": None}
    try:
        import threadpoolctl  # noqa: F401  (optional)

        pools = [p for p in threadpoolctl.threadpool_info() if p.get("user_api") == "blas"]
        if pools:
            p = pools[0]
            info.update(
                source="threadpoolctl",
                library=p.get("internal_api"),
                version=p.get("version"),
                kernel=p.get("architecture"),
                threads=p.get("num_threads"),
                path=p.get("filepath"),
            )
            return info
    except Exception:  # noqa: BLE001 - not installed or failed: fall through
        pass
    # What threadpoolctl does, by hand: find the loaded OpenBLAS and ask it.
    libs = [p for p in _loaded_libs() if "openblas" in os.path.basename(p).lower()]
    if not libs:
        d = os.path.dirname(np.__file__) + ".libs"
        libs = glob.glob(os.path.join(d, "*openblas*"))
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", "", "_64"):
                corename = getattr(lib, f"{prefix}_get_corename{suffix}", None)
                if corename is None:
                    continue
                corename.restype = ctypes.c_char_p
                config = getattr(lib, f"{prefix}_get_config{suffix}")
                config.restype = ctypes.c_char_p
                threads = getattr(lib, f"{prefix}_get_num_threads{suffix}")
                info.update(
                    source="openblas (ctypes)",
                    library="openblas",
                    version=config().decode(errors="replace"),
                    kernel=corename().decode(errors="replace"),
                    threads=int(threads()),
                    path=path,
                )
                return info
    # Last resort: NumPy's build configuration (does not say which kernel runs).
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        info.update(
            source="numpy.show_config",
            library=blas.get("name"),
            version=blas.get("version"),
            kernel=blas.get("openblas configuration") or "unknown (build configuration only)",
            threads=None,
        )
    except Exception as e:  # noqa: BLE001
        info.update(source="none", error=str(e))
    return info


# ----------------------------------------------------------------------------- backward (BPTT)
# The backward rows of the bench (scripts/bench_backward.mjs): the loss (mean squared error over
# every output element, as keras.losses.MeanSquaredError) and dL/dw by backpropagation through
# time, written as the seed notebook writes it: a forward loop keeping each step's values, then
# the loop over t = T…1 accumulating dWx += x_tᵀ·δ_t, dWh += h_{t-1}ᵀ·δ_t, db += Σ δ_t.

def _dact(name, y, a):
    """d act / d a from the output y (and the argument a where needed)."""
    if name == "tanh":
        return 1.0 - y * y
    if name == "sigmoid":
        return y * (1.0 - y)
    if name == "relu":
        return (a > 0).astype(np.float64)
    if name == "linear":
        return np.ones_like(y)
    raise ValueError(f"activation {name!r} has no backward step in bench_numpy.py")


def _rnn_backward(x, layer, ws, dy, kv):
    """Forward with caches, then BPTT. Returns dx and the gradients [kernel, recurrent_kernel, bias?]."""
    cls = layer["class_name"]
    c = layer["config"]
    if c.get("go_backwards"):
        raise ValueError("go_backwards has no backward step in bench_numpy.py")
    M = int(c["units"])
    an = c.get("activation") or "linear"
    rn = c.get("recurrent_activation") or "sigmoid"
    act, ract = activation(an, kv), activation(rn, kv)
    Wx, Wh, b = ws["kernel"], ws["recurrent_kernel"], ws.get("bias")
    N, T, _ = x.shape
    seq = bool(c.get("return_sequences"))
    dys = dy if seq else None
    hs = [np.zeros((N, M))]
    cs = [np.zeros((N, M))]
    cache = []
    for t in range(T):
        h = hs[-1]
        if cls == "SimpleRNN":
            a = x[:, t] @ Wx + h @ Wh + (b if b is not None else 0.0)
            hn = act(a)
            cache.append(a)
        elif cls == "LSTM":
            z = x[:, t] @ Wx + h @ Wh + (b if b is not None else 0.0)
            i, f, g, o = ract(z[:, :M]), ract(z[:, M:2 * M]), act(z[:, 2 * M:3 * M]), ract(z[:, 3 * M:])
            cn = f * cs[-1] + i * g
            ac = act(cn)
            hn = o * ac
            cs.append(cn)
            cache.append((z, i, f, g, o, ac))
        else:  # GRU, reset_after (Keras's default)
            bx, bh = (b[0], b[1]) if b is not None else (0.0, 0.0)
            xz = x[:, t] @ Wx + bx
            hz = h @ Wh + bh
            az, ar = xz[:, :M] + hz[:, :M], xz[:, M:2 * M] + hz[:, M:2 * M]
            zg, rg = ract(az), ract(ar)
            ah = xz[:, 2 * M:] + rg * hz[:, 2 * M:]
            hh = act(ah)
            hn = zg * h + (1.0 - zg) * hh
            cache.append((az, ar, zg, rg, ah, hh, hz))
        hs.append(hn)
    dWx, dWh = np.zeros_like(Wx), np.zeros_like(Wh)
    db = np.zeros_like(b) if b is not None else None
    dx = np.zeros_like(x)
    dh = np.zeros((N, M)) if seq else dy.copy()
    dc = np.zeros((N, M))
    for t in range(T - 1, -1, -1):
        if seq:
            dh = dh + dys[:, t]
        hp, xt = hs[t], x[:, t]
        if cls == "SimpleRNN":
            d = dh * _dact(an, hs[t + 1], cache[t])
            dWx += xt.T @ d
            dWh += hp.T @ d
            if db is not None:
                db += d.sum(0)
            dx[:, t] = d @ Wx.T
            dh = d @ Wh.T
        elif cls == "LSTM":
            z, i, f, g, o, ac = cache[t]
            dct = dc + dh * o * _dact(an, ac, cs[t + 1])
            d = np.concatenate([dct * g * _dact(rn, i, z[:, :M]), dct * cs[t] * _dact(rn, f, z[:, M:2 * M]),
                                dct * i * _dact(an, g, z[:, 2 * M:3 * M]), dh * ac * _dact(rn, o, z[:, 3 * M:])], axis=1)
            dc = dct * f
            dWx += xt.T @ d
            dWh += hp.T @ d
            if db is not None:
                db += d.sum(0)
            dx[:, t] = d @ Wx.T
            dh = d @ Wh.T
        else:
            az, ar, zg, rg, ah, hh, hz = cache[t]
            dah = dh * (1.0 - zg) * _dact(an, hh, ah)
            daz = dh * (hp - hh) * _dact(rn, zg, az)
            dar = dah * hz[:, 2 * M:] * _dact(rn, rg, ar)
            dxz = np.concatenate([daz, dar, dah], axis=1)
            dhz = np.concatenate([daz, dar, dah * rg], axis=1)
            dWx += xt.T @ dxz
            dWh += hp.T @ dhz
            if db is not None:
                db[0] += dxz.sum(0)
                db[1] += dhz.sum(0)
            dx[:, t] = dxz @ Wx.T
            dh = dh * zg + dhz @ Wh.T
    out = hs[1:] if seq else hs[-1]
    return dx, [dWx, dWh] + ([db] if db is not None else []), (np.stack(out, axis=1) if seq else out)


def backward(layers, weights, xs, target, kv):
    """(loss, gradients in trainable_weights order) for a chain of recurrent / Dense layers."""
    acts = [xs[0]]
    for layer, ws in zip(layers, weights):  # the forward pass, keeping each layer's input
        acts.append(run_layer(acts[-1], layer, ws, kv))
    y = acts[-1]
    loss = float(np.mean((y - target) ** 2))
    dy = 2.0 * (y - target) / y.size
    grads = []
    for k in range(len(layers) - 1, -1, -1):
        layer, ws, x = layers[k], weights[k], acts[k]
        cls = layer["class_name"]
        if cls == "Dense":
            an = layer["config"].get("activation") or "linear"
            y = acts[k + 1]
            d = dy * _dact(an, y, x @ ws["kernel"] + ws.get("bias", 0.0))
            I, K = ws["kernel"].shape
            g = [x.reshape(-1, I).T @ d.reshape(-1, K)] + ([d.reshape(-1, K).sum(0)] if "bias" in ws else [])
            dy = d @ ws["kernel"].T
        elif cls in ("SimpleRNN", "LSTM", "GRU"):
            dy, g, _ = _rnn_backward(x, layer, ws, dy, kv)
        elif cls in ("Dropout",):
            g = []
        else:
            raise ValueError(f"layer class {cls} has no backward step in bench_numpy.py")
        grads = g + grads
    return loss, grads


def main_backward(args):
    with open(os.path.join(args.dir, "index.json")) as f:
        index = json.load(f)
    results = []
    for wid in index["workloads"]:
        d = os.path.join(args.dir, wid)
        with open(os.path.join(d, "manifest.json")) as f:
            manifest = json.load(f)
        kv = manifest.get("keras_version")
        layers = manifest["layers"]
        weights = [load_weights(d, layer) for layer in layers]
        xs = [np.load(os.path.join(d, i["file"])) for i in manifest["inputs"]]
        target = np.load(os.path.join(d, manifest["target"]))
        (loss, grads), warm, times = time_runs(lambda: backward(layers, weights, xs, target, kv), args.warmup_ms, args.budget_ms, args.min_runs, args.max_runs)
        files = []
        for k, g in enumerate(grads):
            name = f"{args.tag}_grad{k}.npy"
            np.save(os.path.join(d, name), np.ascontiguousarray(g, dtype=np.float64))
            files.append(name)
        results.append({"id": wid, "loss": loss, "warmup_ms": warm, "runs_ms": times, "median_ms": statistics.median(times), "gradients": files})
    json.dump({"numpy": np.__version__, "blas": blas_info(), "workloads": results}, sys.stdout)
    sys.stdout.write("\n")


# ----------------------------------------------------------------------------- main


def time_runs(fn, warmup_ms, budget_ms, min_runs, max_runs):
    """Warm-up until warmup_ms has passed (at least once), then the timed runs (as bench.mjs does)."""
    t0 = time.perf_counter()
    out = fn()  # the first warm-up run's output is the one checked
    warm = (time.perf_counter() - t0) * 1000.0
    spent = warm
    while spent < warmup_ms:
        t0 = time.perf_counter()
        fn()
        warm = (time.perf_counter() - t0) * 1000.0
        spent += warm
    runs = max(min_runs, min(max_runs, math.ceil(budget_ms / max(warm, 1e-3))))
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return out, warm, times


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dir")
    ap.add_argument("--warmup-ms", type=float, default=300.0)
    ap.add_argument("--budget-ms", type=float, default=1500.0)
    ap.add_argument("--min-runs", type=int, default=3)
    ap.add_argument("--max-runs", type=int, default=200)
    ap.add_argument("--tag", default="numpy", help="prefix of the output files")
    ap.add_argument("--backward", action="store_true", help="the backward rows: loss and BPTT gradients")
    args = ap.parse_args()
    if args.backward:
        return main_backward(args)

    with open(os.path.join(args.dir, "index.json")) as f:
        index = json.load(f)
    results = []
    for wid in index["workloads"]:
        d = os.path.join(args.dir, wid)
        with open(os.path.join(d, "manifest.json")) as f:
            manifest = json.load(f)
        kv = manifest.get("keras_version")
        layers = manifest["layers"]
        weights = [load_weights(d, layer) for layer in layers]
        xs = [np.load(os.path.join(d, i["file"])) for i in manifest["inputs"]]
        rng_ok = check_rng(manifest, xs)
        out, warm, times = time_runs(lambda: forward(layers, weights, xs, kv), args.warmup_ms, args.budget_ms, args.min_runs, args.max_runs)
        files = []
        for k, y in enumerate(out):
            name = f"{args.tag}_out{k}.npy"
            np.save(os.path.join(d, name), np.ascontiguousarray(y, dtype=np.float64))
            files.append(name)
        results.append(
            {
                "id": wid,
                "warmup_ms": warm,
                "runs_ms": times,
                "median_ms": statistics.median(times),
                "outputs": files,
                "inputs_vs_numpy_rng": rng_ok,
            }
        )
    report = {
        "python": sys.executable,
        "python_version": platform.python_version(),
        "numpy": np.__version__,
        "blas": blas_info(),
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")},
        "workloads": results,
    }
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # noqa: BLE001
        print(f"bench_numpy.py: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
