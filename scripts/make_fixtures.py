#!/usr/bin/env python3
"""Generate RNN Inspector's test fixtures with real TensorFlow/Keras.

    /root/tfvenv/bin/python scripts/make_fixtures.py                 # everything
    /root/tfvenv/bin/python scripts/make_fixtures.py --only seed_n1  # one Keras case
    /root/tfvenv/bin/python scripts/make_fixtures.py --section A,B   # some sections

Sections: A keras cases (test/fixtures/keras), B JSON weight formats (test/fixtures/json),
C corpus predictions (test/fixtures/corpus), D bad files (test/fixtures/bad),
E examples workspace (examples/), R real-world corpus files committed under
test/fixtures/corpus/<owner>__<repo>__<file>/ (--only-corpus NAME,... for some of them),
S model.summary() text as Keras prints it (test/fixtures/summary), G gradients by TF's GradientTape
in float64 (test/fixtures/gradients, fixtures_gradients.py; not in the default list: --section G),
W real-world model features (initial_state, ConvLSTM, TimeDistributed(Conv2D)…:
test/fixtures/realworld, fixtures_realworld.py; --only-realworld NAME,...).
B, E and S read the Keras cases written by A.
Tests never run Python: the generated files are committed.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import fixtures_common  # noqa: E402  (sets TF env vars before TensorFlow is imported)
from fixtures_common import KERAS_DIR, write_json, file_size_report, REPO  # noqa: E402


def update_index(done, refused, replace=False):
    """test/fixtures/keras/index.json: the cases written and those Keras refused."""
    import json
    from fixtures_cases import CASES
    path = os.path.join(KERAS_DIR, "index.json")
    old = {"cases": [], "refused_by_keras": []}
    if not replace and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            old = json.load(f)
    touched = set(done) | {r["case"] for r in refused}
    cases = [c for c in old["cases"] if c not in touched] + list(done)
    ref = [r for r in old["refused_by_keras"] if r["case"] not in touched] + list(refused)
    order = {n: k for k, n in enumerate(CASES)}
    write_json(path, {
        "keras_version": fixtures_common.KERAS_VERSION,
        "tf_version": fixtures_common.TF_VERSION,
        "cases": sorted(cases, key=lambda c: order.get(c, 1e9)),
        "refused_by_keras": sorted(ref, key=lambda r: order.get(r["case"], 1e9)),
    })


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", help="comma-separated Keras case names (section A only)")
    ap.add_argument("--section", default="A,B,E,C,R,D,S,W", help="comma-separated sections (default all)")
    ap.add_argument("--list", action="store_true", help="list the Keras case names")
    ap.add_argument("--only-corpus", help="comma-separated section R folder names")
    ap.add_argument("--only-realworld", help="comma-separated section W case names")
    ap.add_argument("--gradients", help="comma-separated gradient case names (section G only)")
    args = ap.parse_args()

    from fixtures_cases import CASES
    if args.list:
        print("\n".join(CASES))
        return 0
    if args.gradients:
        import fixtures_gradients
        fixtures_gradients.run(set(args.gradients.split(",")))
        return 0
    if args.only:
        only = set(args.only.split(","))
        unknown = only - set(CASES)
        if unknown:
            ap.error(f"unknown case(s): {sorted(unknown)}")
        from fixtures_keras import run
        done, refused = run(only)
        update_index(done, refused)
        return 0

    sections = [s.strip().upper() for s in args.section.split(",")] if not args.only_corpus else ["R"]
    if args.only_realworld:
        sections = ["W"]
    if "A" in sections:
        from fixtures_keras import run
        done, refused = run()
        update_index(done, refused, replace=True)
    if "B" in sections:
        import fixtures_formats
        fixtures_formats.make_json()
    if "E" in sections:
        import fixtures_formats
        fixtures_formats.make_examples()
    if "C" in sections:
        import fixtures_corpus
        fixtures_corpus.run()
    if "R" in sections or args.only_corpus:
        import fixtures_corpus_real
        fixtures_corpus_real.run(set(args.only_corpus.split(",")) if args.only_corpus else None)
    if "D" in sections:
        import fixtures_formats
        fixtures_formats.make_bad()
    if "S" in sections:
        import fixtures_summary
        fixtures_summary.run()
    if "G" in sections:
        import fixtures_gradients
        fixtures_gradients.run()
    if "W" in sections:
        import fixtures_realworld
        fixtures_realworld.run(set(args.only_realworld.split(",")) if args.only_realworld else None)
    for d in ("test/fixtures/keras", "test/fixtures/json", "test/fixtures/corpus", "test/fixtures/bad",
              "test/fixtures/summary", "test/fixtures/gradients", "test/fixtures/realworld", "examples"):
        p = os.path.join(REPO, d)
        if os.path.isdir(p):
            print(f"{d}: {file_size_report(p) / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
