#!/usr/bin/env python3
"""Writes test/fixtures/arrays/: .npy/.npz files and NumPy random-number references.

Every expected value in manifest.json comes from NumPy itself (np.save/np.load round trips,
np.random.*). Run with a Python that has NumPy (the project used NumPy 2.4):

    /root/tfvenv/bin/python scripts/make_array_fixtures.py

The TypeScript tests only read the files written here; they never run Python.

About the Gaussian references: NumPy's legacy standard_normal() calls the C library's log().
glibc's log is not correctly rounded for about 1 input in 1,200, and the TypeScript port uses a
correctly rounded log, so at those draws the two can differ in the last bit. For every randn
reference this script replays NumPy's polar method in Python (checking it reproduces NumPy bit
for bit) and lists, under "logNotCorrectlyRounded", each affected index with NumPy's value and
the value the same algorithm gives with a correctly rounded log (computed with `decimal`).
"""
import hashlib
import io
import json
import math
import os
import zipfile
from decimal import Decimal, getcontext

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "test", "fixtures", "arrays")
getcontext().prec = 50


def values(a):
    """Flat C-order values as JSON numbers; NaN and infinities as strings (JSON has no literal)."""
    out = []
    for v in np.asarray(a, dtype=np.float64).reshape(-1).tolist():
        if math.isnan(v):
            out.append("nan")
        elif math.isinf(v):
            out.append("inf" if v > 0 else "-inf")
        else:
            out.append(v)
    return out


def save(name, arr, **kw):
    np.save(os.path.join(OUT, name), arr, **kw)
    return name


def entry(name, arr, **extra):
    back = np.load(os.path.join(OUT, name))  # what np.load reads is what the tests expect
    assert back.shape == arr.shape and back.dtype == arr.dtype
    d = {"file": name, "dtype": back.dtype.name, "shape": list(back.shape), "values": values(back)}
    d.update(extra)
    return d


def npy_fixtures():
    entries = []
    samples = {
        "float16": [0.0, -0.0, 1.0, -2.5, 65504.0, 6.1035e-05, 6e-08, np.inf, -np.inf, np.nan, 0.1, 3.14159],
        "float32": [0.0, -0.0, 1.0, -2.5, 3.4028235e38, 1.17549435e-38, 1e-45, np.inf, -np.inf, np.nan, 0.1, 3.14159],
        "float64": [0.0, -0.0, 1.0, -2.5, 1.7976931348623157e308, 2.2250738585072014e-308, 5e-324, np.inf, -np.inf, np.nan, 0.1, math.pi],
        "int8": [0, 1, -1, 127, -128, 5, -7, 100, -100, 42, 3, -3],
        "int16": [0, 1, -1, 32767, -32768, 300, -301, 1000, -1000, 42, 3, -3],
        "int32": [0, 1, -1, 2**31 - 1, -(2**31), 70000, -70001, 10**9, -(10**9), 42, 3, -3],
        "int64": [0, 1, -1, 2**63 - 1, -(2**63), 2**53, 2**53 + 1, -(2**40) - 3, 10**15, 42, 3, -3],
        "uint8": [0, 1, 255, 128, 7, 200, 3, 4, 5, 6, 9, 254],
        "uint16": [0, 1, 65535, 32768, 7, 40000, 3, 4, 5, 6, 9, 300],
        "uint32": [0, 1, 2**32 - 1, 2**31, 7, 3000000000, 3, 4, 5, 6, 9, 300],
        "uint64": [0, 1, 2**64 - 1, 2**63, 2**53 + 1, 2**40 + 5, 3, 4, 5, 6, 9, 300],
        "bool": [True, False, True, True, False, False, True, False, True, True, False, True],
    }
    for dtype, vals in samples.items():
        base = np.array(vals, dtype=dtype).reshape(3, 4)
        orders = ["|"] if base.dtype.itemsize == 1 else ["<", ">"]
        for order in orders:
            arr = base if order == "|" else base.astype(base.dtype.newbyteorder(order))
            tag = {"|": "", "<": "_le", ">": "_be"}[order]
            name = save(f"{dtype}{tag}.npy", arr)
            assert np.load(os.path.join(OUT, name)).dtype.str[0] == order
            entries.append(entry(name, arr, byteorder=order))

    # Fortran order: NumPy writes the transposed memory layout with fortran_order: True.
    f2 = np.asfortranarray(np.arange(12, dtype="<f8").reshape(3, 4) * 1.5 - 4)
    f3 = np.asfortranarray(np.arange(24, dtype=">i2").reshape(2, 3, 4) - 10)
    f3f = np.asfortranarray(np.random.RandomState(7).standard_normal((4, 2, 3)).astype("<f4"))
    for name, arr in [("fortran_2d_f8.npy", f2), ("fortran_3d_i2_be.npy", f3), ("fortran_3d_f4.npy", f3f)]:
        save(name, arr)
        with open(os.path.join(OUT, name), "rb") as fh:
            assert b"'fortran_order': True" in fh.read(200)
        entries.append(entry(name, arr, fortran=True))

    entries.append(entry(save("scalar_0d.npy", np.array(3.25, dtype="<f8")), np.array(3.25, dtype="<f8")))
    entries.append(entry(save("empty_1d.npy", np.zeros((0,), dtype="<f4")), np.zeros((0,), dtype="<f4")))
    entries.append(entry(save("empty_3d.npy", np.zeros((2, 0, 3), dtype="<f8")), np.zeros((2, 0, 3), dtype="<f8")))

    # Header versions 2.0 and 3.0 (3.0 allows UTF-8 in the header).
    v = np.linspace(-1, 1, 6, dtype="<f4").reshape(2, 3)
    for ver in [(2, 0), (3, 0)]:
        name = f"version_{ver[0]}_0.npy"
        with open(os.path.join(OUT, name), "wb") as fh:
            np.lib.format.write_array(fh, v, version=ver)
        entries.append(entry(name, v, version=f"{ver[0]}.0"))
    return entries


def bad_fixtures():
    a = np.arange(10, dtype="<f8")
    buf = io.BytesIO()
    np.save(buf, a)
    raw = buf.getvalue()
    with open(os.path.join(OUT, "truncated.npy"), "wb") as fh:
        fh.write(raw[:-20])  # header intact, data 20 bytes short
    with open(os.path.join(OUT, "truncated_header.npy"), "wb") as fh:
        fh.write(raw[:40])
    save("object.npy", np.array([{"a": 1}, None, "text"], dtype=object), allow_pickle=True)
    save("structured.npy", np.zeros(3, dtype=[("a", "<f4"), ("b", "<i2")]))
    save("complex.npy", np.array([1 + 2j, 3 - 1j], dtype="<c16"))
    save("unicode.npy", np.array(["ab", "cde"]))
    with open(os.path.join(OUT, "bad_magic.npy"), "wb") as fh:
        fh.write(b"\x93NUMPX" + raw[6:])
    with open(os.path.join(OUT, "bad_zip.npz"), "wb") as fh:
        fh.write(b"PK\x03\x04" + b"\x00" * 40)


def npz_fixtures():
    Wx = np.random.RandomState(1).standard_normal((3, 5)).astype("<f4")
    bh = np.zeros(5, dtype="<f4")
    X = np.random.RandomState(2).standard_normal((2, 4, 3))
    steps = np.arange(4, dtype="<i8")
    out = []
    for name, fn in [("arrays.npz", np.savez), ("arrays_compressed.npz", np.savez_compressed)]:
        path = os.path.join(OUT, name)
        fn(path, X, Wx=Wx, bh=bh, steps=steps)  # keywords are written first, then arr_0
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            order = [i.filename for i in infos]
            methods = sorted({i.compress_type for i in infos})
        loaded = np.load(path)
        members = []
        for member in order:
            key = member[:-4]
            arr = loaded[key]
            members.append({"name": key, "dtype": arr.dtype.name, "shape": list(arr.shape), "values": values(arr)})
        out.append({"file": name, "zipMethods": methods, "members": members})
    return out


def json_fixtures():
    """JSON sample files as json.dump writes NumPy arrays' tolist(), plus error cases."""
    rs = np.random.RandomState(3)
    X = rs.standard_normal((2, 4, 3))
    Y = rs.standard_normal((2, 2))
    out = []
    for name, content, arrays in [
        ("nested.json", X.tolist(), [("nested", X)]),
        ("samples.json", {"X": X.tolist(), "expected": Y.tolist()}, [("X", X), ("expected", Y)]),
        ("inputs.json", {"inputs": X[:1].tolist()}, [("inputs", X[:1])]),
        ("scalar.json", 2.5, [("scalar", np.array(2.5))]),
    ]:
        with open(os.path.join(OUT, name), "w") as fh:
            json.dump(content, fh)
        out.append({"file": name, "arrays": [
            {"name": n, "shape": list(a.shape), "values": values(a)} for n, a in arrays]})
    with open(os.path.join(OUT, "ragged.json"), "w") as fh:
        json.dump({"X": [[[1, 2, 3], [4, 5, 6]], [[1, 2, 3], [4, 5]]]}, fh)  # X[1][1] is short
    with open(os.path.join(OUT, "not_numbers.json"), "w") as fh:
        json.dump({"X": [[1, 2], [3, "4"]]}, fh)
    return out


class LegacyGauss:
    """NumPy's legacy polar Box-Muller replayed in Python on NumPy's own uniform stream.

    With log=math.log (the C library's log, as NumPy calls it) this must reproduce
    np.random.randn exactly; it also records where math.log is not correctly rounded.
    """

    def __init__(self, seed):
        self.rs = np.random.RandomState(seed)
        self.cached = None

    def next(self):
        """Returns (NumPy's value, value with a correctly rounded log, log misrounded?)."""
        if self.cached is not None:
            c, self.cached = self.cached, None
            return c
        while True:
            x1 = 2.0 * self.rs.random_sample() - 1.0
            x2 = 2.0 * self.rs.random_sample() - 1.0
            r2 = x1 * x1 + x2 * x2
            if r2 < 1.0 and r2 != 0.0:
                break
        libm = math.log(r2)
        exact = float(Decimal(r2).ln())  # correctly rounded: Decimal is exact, float() rounds once
        f = math.sqrt(-2.0 * libm / r2)
        g = math.sqrt(-2.0 * exact / r2)
        bad = libm != exact
        self.cached = (f * x1, g * x1, bad)
        return (f * x2, g * x2, bad)


def replay(seed, shapes):
    """Concatenated randn(*shape) outputs for successive calls after seed(seed), with the log check."""
    np.random.seed(seed)
    numpy_vals = np.concatenate([np.asarray(np.random.randn(*s), dtype=np.float64).reshape(-1) for s in shapes])
    sim = LegacyGauss(seed)
    exceptions = []
    for i, expected in enumerate(numpy_vals.tolist()):
        got, cr, bad = sim.next()
        assert got == expected, (seed, shapes, i, got, expected)
        if bad:
            exceptions.append([i, expected, cr])
    return numpy_vals, exceptions


def random_fixtures():
    refs = []
    cases = [
        (0, [[1, 10, 3]], "randn_seed0_1x10x3.npy"),  # the notebooks' X for N=1, T=10, D=3
        (0, [[15, 10, 3]], "randn_seed0_15x10x3.npy"),  # the N=15 exercise
        (0, [[]], "randn_seed0_scalar.npy"),  # np.random.randn(): a single float
        (1, [[1, 10, 3]], "randn_seed1_1x10x3.npy"),
        (1, [[7]], "randn_seed1_7.npy"),  # odd count: the cached second Gaussian is left over
        (42, [[10, 10, 3]], "randn_seed42_10x10x3.npy"),
        (42, [[3, 3, 3]], "randn_seed42_3x3x3.npy"),
        (123, [[5, 7]], "randn_seed123_5x7.npy"),
        (123, [[2, 5, 3]], "randn_seed123_2x5x3.npy"),
        (2**32 - 1, [[4, 5, 3]], "randn_seed4294967295_4x5x3.npy"),
        (2**32 - 1, [[9]], "randn_seed4294967295_9.npy"),
        # Successive calls: the odd first call leaves a cached value that the second returns first.
        (7, [[3], [2, 2], [5]], "randn_seed7_calls_3_2x2_5.npy"),
    ]
    for seed, shapes, name in cases:
        vals, exc = replay(seed, shapes)
        np.save(os.path.join(OUT, name), vals.reshape(shapes[0]) if len(shapes) == 1 else vals)
        refs.append({
            "file": name, "fn": "randn", "seed": seed, "calls": shapes,
            "logNotCorrectlyRounded": exc,
        })

    # rand and randint are exact integer/bit arithmetic: no log involved.
    for seed, shape, name in [(0, [4, 5], "rand_seed0_4x5.npy"), (42, [7], "rand_seed42_7.npy")]:
        np.random.seed(seed)
        np.save(os.path.join(OUT, name), np.random.rand(*shape))
        refs.append({"file": name, "fn": "rand", "seed": seed, "calls": [shape]})
    for seed, args, name in [
        (0, {"low": 0, "high": 10, "size": [20]}, "randint_seed0_0_10_20.npy"),
        (42, {"low": -5, "high": 5, "size": [3, 4]}, "randint_seed42_m5_5_3x4.npy"),
        (1, {"low": 6, "high": None, "size": [10]}, "randint_seed1_6_10.npy"),  # high omitted: [0, 6)
        (123, {"low": 0, "high": 2**32, "size": [6]}, "randint_seed123_0_2p32_6.npy"),  # full 32-bit range
        (5, {"low": 0, "high": 2**40 + 3, "size": [8]}, "randint_seed5_0_2p40p3_8.npy"),  # 64-bit draws
        (9, {"low": 3, "high": 4, "size": [5]}, "randint_seed9_3_4_5.npy"),  # a single value: no draws
        (2, {"low": 0, "high": 1000, "size": [2, 3]}, "randint_seed2_0_1000_2x3.npy"),
    ]:
        np.random.seed(seed)
        out = np.random.randint(args["low"], args["high"], size=tuple(args["size"]))
        assert out.dtype == np.int64
        np.save(os.path.join(OUT, name), out)
        refs.append({"file": name, "fn": "randint", "seed": seed, "args": args})
    return refs


def long_run():
    """200001 Gaussians from one seed, kept as a SHA-256 of the float64 bytes (1.6 MB as a file)."""
    seed, count = 2024, 200001
    vals, exc = replay(seed, [[count]])
    return {
        "fn": "randn", "seed": seed, "count": count,
        "sha256": hashlib.sha256(vals.astype("<f8").tobytes()).hexdigest(),
        "every1000": [float(vals[i]) for i in range(0, count, 1000)],
        "logNotCorrectlyRounded": exc,
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))
    manifest = {
        "generator": "scripts/make_array_fixtures.py",
        "numpy": np.__version__,
        "npy": npy_fixtures(),
        "npz": npz_fixtures(),
        "json": json_fixtures(),
        "random": random_fixtures(),
        "randomLong": long_run(),
    }
    bad_fixtures()
    with open(os.path.join(OUT, "manifest.json"), "w") as fh:
        json.dump(manifest, fh, indent=1)
        fh.write("\n")
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total} bytes, to {OUT}")
    assert total < 1_000_000


if __name__ == "__main__":
    main()
