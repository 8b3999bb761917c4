#!/usr/bin/env python3
"""Copy real public Keras RNN model files into test/fixtures/corpus/<owner>__<repo>__<file>/ and
record where each came from in test/fixtures/corpus/sources.json.

This is the one-off collection step (section R of make_fixtures.py then computes the reference
predictions). It reads repository snapshots (bare git directories, e.g. the ones the search tool's
`fetch` puts under /work/.mirror/<owner>+<repo>/) and copies the committed blobs byte for byte with
`git show <commit>:<path>`. Only model data files are copied, never code.

    python3 scripts/corpus_collect.py [--mirror /work/.mirror] [--only NAME,...]
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "test", "fixtures", "corpus")
SOURCES = os.path.join(OUT, "sources.json")

# (owner/repo, [paths in the repo], what it is). The first path is the model file; further paths
# are companions kept beside it (TF.js shards, to_json() architecture files). An optional fourth
# item: {"alias": shorter folder name (the file inside keeps its committed name), "commit": take the
# files from this commit instead of HEAD (files since deleted), "input": "one-hot" (a hint for the
# input maker of section R)}.
ENTRIES = [
    ("Kashdog/NaturalQuery", ["s2s.h5"], "Keras lstm_seq2seq example (training model: encoder LSTM return_state, decoder LSTM initial_state)"),
    ("Sprea22/LSTM_Seq2Seq_Word-Level", ["encoder_model.h5"], "word-level seq2seq inference encoder: Embedding -> LSTM(return_state)"),
    ("Sprea22/LSTM_Seq2Seq_Word-Level", ["decoder_model.h5"], "word-level seq2seq inference decoder: Embedding -> LSTM(initial_state from two Inputs) -> Dense"),
    ("iam-pranjal/Human-Activity-Recognition", ["convlstm.h5"], "ConvLSTM2D video classifier (UCF50) with MaxPooling3D, TimeDistributed(Dropout)"),
    ("iam-pranjal/Human-Activity-Recognition", ["LRCN_model___Date_Time_2024_06_06__21_54_28___Loss_0.4350582957267761___Accuracy_0.8770492076873779.h5"], "LRCN: TimeDistributed(Conv2D/MaxPooling2D/Flatten) -> LSTM", {"alias": "LRCN_model.h5"}),
    ("functure/dga_predict", ["lstm/lstm.h5"], "DGA domain classifier: Embedding -> LSTM -> Dense (Keras 2.0.2)"),
    ("Procope/torcs", ["keras_models/lstm.h5"], "TORCS driving: Bidirectional(LSTM) (Keras 2.1.0)"),
    ("TychoKoster/CI_Project", ["lstm.h5"], "TORCS driving: functional LSTM + Concatenate (Keras 2.1.1)"),
    ("529669517/HAR_LSTM", ["lstm.h5"], "human activity recognition LSTM (tf.keras 2.4.0)"),
    ("delladeldel/LSTM-Seq2Seq", ["my_model.keras"], "Keras 3.8 seq2seq training model (.keras): LSTM encoder states -> LSTM decoder initial_state -> TimeDistributed(Dense)"),
    ("delladeldel/LSTM-Seq2Seq", ["encoder_model.h5"], "Keras 3.8 seq2seq inference encoder (.h5): LSTM return_state"),
    ("delladeldel/LSTM-Seq2Seq", ["decoder_model.h5"], "Keras 3.8 seq2seq inference decoder (.h5): LSTM with initial_state Inputs"),
    ("joy-datta/misc-models", ["char_rnn.h5"], "character-level GRU text generator (tf.keras 2.6.0)"),
    ("khuangaf/CryptocurrencyPrediction", ["weights-improvement-20-0.00042.hdf5"], "ModelCheckpoint .hdf5: LSTM(10) price regressor (Keras 2.0.6); removed from the repo later, taken from the commit that added it", {"commit": "9595af3cb9de6c54175ca8f9b97ece6c3a0dd541"}),
    ("Spiruel/Team-Project", ["lstm/model.h5", "lstm/model.json"], "Keras 1.2.2 save_weights file (per-gate W_*/U_*/b_* tensors named with :0) + to_json() architecture: LSTM 64 -> 256 -> 100 anomaly detector"),
    ("reiinakano/tfjs-lstm-text-generation", ["lstm/model.json", "lstm/group1-shard1of1", "lstm/group2-shard1of1"], "TF.js (2018 converter, Keras 2.1.5): char-level LSTM(128) text generator, two weight groups", {"alias": "tfjs_lstm", "input": "one-hot"}),
    ("TeKuV/cc_rnn", ["models/gru_model.keras"], "Keras 3.9.2 .keras: GRU regressor"),
    ("AbuAlHagag/stp_models", ["convlstm_model.h5"], "ConvLSTM2D x4 + MaxPooling3D + TimeDistributed(Dropout) video classifier (tf.keras 2.7.0)"),
    ("Zmey1/OceanObservation", ["convlstm_model.h5"], "Keras 3.7 ConvLSTM2D + BatchNormalization + Dense forecaster (.h5)"),
    ("Beginner-Mon/COS30018-traffic-flow-prediction", ["model/bilstm.keras"], "Keras 3.8 .keras: stacked Bidirectional(LSTM) traffic-flow regressor"),
    ("Beginner-Mon/COS30018-traffic-flow-prediction", ["model/gru.keras"], "Keras 3.8 .keras: stacked GRU traffic-flow regressor"),
    ("Beginner-Mon/COS30018-traffic-flow-prediction", ["model/lstm_multi.keras"], "Keras 3.8 .keras: three inputs (series + two ids through Embedding/Flatten), LSTMs, Concatenate, Dense"),
    ("CSE5393/Lab9", ["gru.h5"], "Keras 2.0.4 functional Embedding -> GRU (reset_after=False era) -> Dense text classifier"),
    ("akabe/lens-poem", ["char_rnn.h5"], "Keras 2.2.4 Sequential SimpleRNN -> Dense character model, no InputLayer", {"input": "one-hot"}),
    ("aya0221/seq2seq_LSTM_Japanese", ["encoder_model.h5"], "tf.keras 2.4.0 seq2seq inference encoder: Masking -> GRU(return_state)"),
    ("aya0221/seq2seq_LSTM_Japanese", ["decoder_model.h5"], "tf.keras 2.4.0 seq2seq inference decoder: GRU(initial_state from an Input, return_state) -> Dense"),
    ("msxfXF/NLPWeibo", ["bilstm.h5"], "Keras 2.2.4 Sequential Bidirectional(LSTM) -> Flatten -> Dense -> Activation"),
    ("udnet96/lstm_seq2seq", ["s2s.h5"], "Keras 2.2.5 lstm_seq2seq training model (two Inputs, decoder initial_state)"),
    ("zabir-nabil/dot-res-lstm", ["dot_res_lstm_weights/dot_res_lstm-01-0.45.hdf5"], "Keras 2.2.4 ModelCheckpoint: two LSTM branches with Dot attention, Concatenate, Activation chains", {"alias": "dot_res_lstm.hdf5"}),
    ("olegmak02/Weather-Prediction", ["models/wind.keras"], "tf.keras 2.15 .keras (v3 format): seven stacked GRUs -> Dense"),
    ("geinizou/deep-seq2seq", ["encoder_model.h5"], "tf.keras 2.12 seq2seq inference encoder: LSTM(return_state)"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/weights/bidirectional_lstm_theano_1.h5"], "Keras 1.2.2 (Theano) full model: Bidirectional(LSTM), DL4J model-import test file"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/weights/bidirectional_lstm_no_return_sequences_tensorflow_1.h5"], "Keras 1.2.2 (TensorFlow) full model: Bidirectional(LSTM) last step, DL4J model-import test file"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/weights/bidirectional_lstm_tensorflow_2.h5"], "Keras 2.1.3 full model: Bidirectional(LSTM) sequences, DL4J model-import test file"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/weights/embedding_lstm_theano_1.h5"], "Keras 1.2.2 (Theano) full model: Embedding -> LSTM, DL4J model-import test file"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/weights/lstm_theano_1.h5"], "Keras 1.2.2 (Theano) full model: one LSTM, DL4J model-import test file"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/weights/simple_rnn_tensorflow_1.h5"], "Keras 1.2.2 (TensorFlow) full model: one SimpleRNN, DL4J model-import test file"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/weights/simple_rnn_theano_2.h5"], "Keras 2.1.3 (Theano backend) full model: one SimpleRNN, DL4J model-import test file"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/examples/simple_lstm/simple_lstm_th_keras_1_model.h5"], "Keras 1.2.2 (Theano) Sequential LSTM -> Dense, DL4J example"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/examples/simple_lstm/simple_lstm_tf_keras_2_model.h5"], "Keras 2.0.6 Sequential LSTM -> Dense, DL4J example"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/examples/masking/masking_zero_lstm.h5"], "Keras 2.2.0 Masking(0.0) -> LSTM, DL4J example"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/examples/masking/masking_two_lstm.h5"], "Keras 2.2.0 Masking(mask_value=2) -> LSTM, DL4J example"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/examples/reshape_to_rnn/reshape_model.h5"], "Keras 2.1.1 functional Reshape -> LSTM -> Activation -> Dropout -> Dense -> Activation, DL4J example"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/examples/functional_lstm/lstm_functional_tf_keras_2.h5"], "Keras 2.0.8 functional Input -> LSTM -> Dense, DL4J example"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/examples/simple_flatten_rnn/simple_flatten_rnn_tf_keras_2_model.h5"], "Keras 2.1.3 Sequential SimpleRNN(return_sequences) -> Flatten -> Dense, DL4J example"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/tfkeras/rnn_0.h5"], "tf.keras 2.2.4-tf: SimpleRNN sequences -> Activation(relu), DL4J generated test"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/tfkeras/rnn_5.h5"], "tf.keras 2.2.4-tf: Bidirectional(LSTM, hard_sigmoid) sequences -> Activation, DL4J generated test"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/tfkeras/rnn_13.h5"], "tf.keras 2.2.4-tf: Bidirectional(LSTM, activation relu), DL4J generated test"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/tfkeras/rnn_219.h5"], "tf.keras 2.2.4-tf: variable-length T, Bidirectional(SimpleRNN) -> RepeatVector(5) -> Bidirectional(SimpleRNN), DL4J generated test"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/tfkeras/rnn_223.h5"], "tf.keras 2.2.4-tf: variable-length T, Bidirectional(LSTM) -> RepeatVector(5) -> Bidirectional(LSTM), DL4J generated test"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/tfkeras/rnn_228.h5"], "tf.keras 2.2.4-tf: stacked LSTM with activation relu, DL4J generated test"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/tfkeras/rnn_237.h5"], "tf.keras 2.2.4-tf: stacked Bidirectional(LSTM) with recurrent_activation relu, DL4J generated test"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/tfkeras/rnn_226.h5"], "tf.keras 2.2.4-tf: SimpleRNN(relu) -> RepeatVector(5) -> SimpleRNN, DL4J generated test"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/tfkeras/convlstm2d_9.h5"], "tf.keras 2.2.4-tf: ConvLSTM2D go_backwards, padding valid, channels_first x2, DL4J generated test"),
    ("KonduitAI/dl4j-test-resources", ["src/main/resources/modelimport/keras/tfkeras/convlstm2d_19.h5"], "tf.keras 2.2.4-tf: ConvLSTM2D padding same, channels_last x2, DL4J generated test"),
]


def git(gitdir, *args, binary=False):
    r = subprocess.run(["git", "--git-dir", gitdir, *args], capture_output=True, check=True)
    return r.stdout if binary else r.stdout.decode("utf-8", "replace").strip()


def gitdir_of(mirror, repo):
    base = os.path.join(mirror, repo.replace("/", "+"), "repo")
    return os.path.join(base, ".git") if os.path.isdir(os.path.join(base, ".git")) else base


def licence(gitdir, commit):
    names = git(gitdir, "ls-tree", "--name-only", commit).splitlines()
    for n in names:
        if n.lower().startswith(("license", "licence", "copying")):
            text = git(gitdir, "show", f"{commit}:{n}")
            head = " ".join(text.split()[:12])
            for key, label in (("MIT License", "MIT"), ("Apache License", "Apache-2.0"),
                               ("GNU GENERAL PUBLIC LICENSE Version 3", "GPL-3.0"),
                               ("GNU GENERAL PUBLIC LICENSE Version 2", "GPL-2.0"),
                               ("BSD", "BSD"), ("Unlicense", "Unlicense"),
                               ("Permission is hereby granted, free of charge", "MIT")):
                if key.lower() in " ".join(text.split()[:40]).lower():
                    return f"{label} ({n})"
            return f"see {n}: {head}"
    return "none stated"


def entry_name(repo, path):
    owner, name = repo.split("/")
    return f"{owner}__{name}__{os.path.basename(path)}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mirror", default="/work/.mirror")
    ap.add_argument("--only")
    a = ap.parse_args()
    only = set(a.only.split(",")) if a.only else None
    old = {}
    if os.path.exists(SOURCES):
        with open(SOURCES) as f:
            old = {e["name"]: e for e in json.load(f)["files"]}
    for repo, paths, what, *more in ENTRIES:
        opts = more[0] if more else {}
        name = entry_name(repo, opts.get("alias", paths[0]))
        if only and name not in only:
            continue
        gd = gitdir_of(a.mirror, repo)
        commit = opts.get("commit") or git(gd, "rev-parse", "HEAD")
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        files = []
        for p in paths:
            data = git(gd, "show", f"{commit}:{p}", binary=True)
            if data.startswith(b"version https://git-lfs"):
                sys.exit(f"{repo}:{p} is a Git LFS pointer")
            dest = os.path.join(d, os.path.basename(p))
            with open(dest, "wb") as f:
                f.write(data)
            last = git(gd, "log", "-1", "--format=%H %cI", commit, "--", p)
            files.append({"path": p, "file": os.path.basename(p), "bytes": len(data),
                          "sha256": hashlib.sha256(data).hexdigest(), "last_commit_touching_path": last})
        old[name] = {"name": name, "repo": repo, "url": f"https://github.com/{repo}",
                     "commit": commit, "licence": licence(gd, git(gd, "rev-parse", "HEAD")), "what": what, "files": files,
                     **({"input": opts["input"]} if "input" in opts else {})}
        print(f"{name}: {sum(f['bytes'] for f in files)} bytes, {old[name]['licence']}")
    with open(SOURCES, "w") as f:
        json.dump({"note": "Where each corpus file came from (written by scripts/corpus_collect.py).",
                   "files": sorted(old.values(), key=lambda e: e["name"].lower())}, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
