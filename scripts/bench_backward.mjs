/**
 * The backward rows of `npm run bench` (called by scripts/bench.mjs; see docs/benchmarks.md):
 * the core's gradients() — forward pass keeping its tape, the MSE loss, BPTT — against the same
 * computation written in NumPy as the seed notebook writes it (scripts/bench_numpy.py --backward),
 * on the same model files, inputs (randomInputs(model, N, 0)) and targets (np.random.seed(1) draw).
 * Both sides must agree on every gradient within 1e-8 (they compute in float64), else a failure.
 *
 * Ratio = ours / NumPy's best (the faster of its default BLAS threads and one thread); target ≤ 1.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const TOLERANCE = 1e-8;

/** Chain models whose every layer both sides differentiate. */
export const BACKWARD_WORKLOADS = [
  { id: 'bw-notebook-n15', what: 'SimpleRNN(5)→Dense(2), the notebook model', file: 'test/fixtures/keras/seed_n15/model.h5', n: 15 },
  { id: 'bw-notebook-n1k', what: 'the same at N=1000', file: 'test/fixtures/keras/seed_n15/model.h5', n: 1000 },
  { id: 'bw-lstm-stacked', what: 'LSTM(6)→LSTM(4)→Dense(1, sigmoid)', file: 'test/fixtures/keras/lstm_stacked/model.h5', n: 512 },
  { id: 'bw-gru', what: 'GRU (reset_after)→Dense', file: 'test/fixtures/keras/gru/model.h5', n: 512 },
  {
    id: 'bw-stacked-simplernn',
    what: 'SimpleRNN 128→64→32 + Dense 64→32→1 (Temp4Cast .keras), T=60',
    corpus: 'CodingRayyan__22-pr3-Temp4Cast-SimpleRNN-LSTM-GRU__rnn_temperature_model.keras',
    n: 64,
  },
];

const KEYS = ['units', 'activation', 'recurrent_activation', 'return_sequences', 'go_backwards', 'use_bias'];
const actName = (a) => (a == null ? 'linear' : typeof a === 'string' ? a : (a.config?.name ?? a.config ?? String(a.class_name)));

function dump(core, layer, dir, k) {
  const config = {};
  for (const key of KEYS) if (layer.config[key] !== undefined) config[key] = layer.config[key];
  for (const key of ['activation', 'recurrent_activation']) if (key in config) config[key] = actName(config[key]);
  const weights = {};
  layer.weights.forEach((w, i) => {
    const role = w.role.split('/').pop().replace(/:\d+$/, '');
    const file = `L${k}_${i}_${role}.npy`;
    fs.writeFileSync(path.join(dir, file), core.writeNpy({ shape: w.shape, data: Float64Array.from(w.data) }, 'float64'));
    weights[role] = file;
    if (role === 'bias' && w.shape.length === 2) config.reset_after = true; // the stored bias decides, as in the core
  });
  return { class_name: layer.className, name: layer.name, config, weights };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/**
 * The forward rows' protocol (docs/benchmarks.md "Timing"): warm-up runs until 300 ms have passed
 * (at least one: the first call pays for compiling the code), then clamp(budget ÷ one run, 3, 200)
 * timed runs, and their median.
 */
function timeOurs(fn, budgetMs) {
  let out;
  let t0 = performance.now();
  let one = 0;
  for (let w = 0; w === 0 || performance.now() - t0 < 300; w++) {
    const t = performance.now();
    out = fn();
    one = performance.now() - t;
  }
  const runs = [];
  for (let i = 0, n = Math.max(3, Math.min(200, Math.ceil(budgetMs / Math.max(one, 1e-3)))); i < n; i++) {
    t0 = performance.now();
    fn();
    runs.push(performance.now() - t0);
  }
  return { out, ms: median(runs) };
}

/**
 * Runs the backward rows. `ctx`: {core, python (null: NumPy skipped), tmp, root, corpus(name), env(threads), threads, log, failures, only}.
 */
export async function benchBackward(ctx) {
  const { core, python, tmp, log } = ctx;
  const base = path.join(tmp, 'backward');
  fs.mkdirSync(base, { recursive: true });
  const rows = [];
  const ours = new Map();
  for (const w of BACKWARD_WORKLOADS) {
    if (ctx.only && !ctx.only.includes(w.id) && !ctx.only.includes('backward')) continue;
    const file = w.corpus ? ctx.corpus(w.corpus) : path.join(ctx.root, w.file);
    if (!fs.existsSync(file)) {
      log(`[bench] backward ${w.id}: ${file} not found, skipped`);
      continue;
    }
    log(`[bench] backward ${w.id}…`);
    const model = await core.openModel(file); // eslint-disable-line no-await-in-loop
    const X = core.randomInputs(model, w.n, 0).arrays;
    const outShape = core.forward(model, X).outputs[0].array.shape;
    const rs = new core.NumpyRandomState(1);
    const T = rs.randn(...outShape);
    const { out: g, ms } = timeOurs(() => core.gradients(model, X, [T], { loss: 'mse' }), 1500);
    const dir = path.join(base, w.id);
    fs.mkdirSync(dir);
    const layers = model.layers.filter((l) => l.inbound?.[0]?.length).map((l, k) => dump(core, l, dir, k));
    X.forEach((x, i) => fs.writeFileSync(path.join(dir, `X${i}.npy`), core.writeNpy(x, 'float64')));
    fs.writeFileSync(path.join(dir, 'T.npy'), core.writeNpy(T, 'float64'));
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ id: w.id, keras_version: model.kerasVersion ?? null, inputs: X.map((_, i) => ({ file: `X${i}.npy` })), target: 'T.npy', layers }));
    ours.set(w.id, g);
    rows.push({ id: w.id, what: w.what, n: w.n, t: X[0].shape[1], params: g.gradients.reduce((s, x) => s + x.data.length, 0), oursMs: ms, loss: g.value });
  }
  fs.writeFileSync(path.join(base, 'index.json'), JSON.stringify({ workloads: rows.map((r) => r.id) }));
  if (!python || !rows.length) return { rows, numpy: python ? null : 'skipped' };
  const runNp = (threads, tag) => {
    const r = spawnSync(python, [path.join(ctx.root, 'scripts', 'bench_numpy.py'), base, '--backward', '--tag', tag], { env: ctx.env(threads), encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000 });
    if (r.status !== 0) throw new Error(`bench_numpy.py --backward failed (exit ${r.status}):\n${(r.stderr || r.stdout).trim()}`);
    return JSON.parse(r.stdout.trim().split('\n').pop());
  };
  log('[bench] backward: NumPy BPTT (default BLAS threads, then 1)…');
  const mt = runNp(ctx.threads ?? null, 'bwmt');
  const st = runNp(1, 'bwst');
  for (const row of rows) {
    const m = mt.workloads.find((x) => x.id === row.id);
    const s = st.workloads.find((x) => x.id === row.id);
    const g = ours.get(row.id);
    let diff = Math.abs(m.loss - g.value);
    if (m.gradients.length !== g.gradients.length) diff = Infinity;
    else
      m.gradients.forEach((f, k) => {
        const theirs = core.parseNpy(fs.readFileSync(path.join(base, row.id, f)), f);
        const a = g.gradients[k].data;
        if (theirs.data.length !== a.length) diff = Infinity;
        for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i] - theirs.data[i]) / (1 + Math.abs(theirs.data[i])));
      });
    row.numpyMs = m.median_ms;
    row.numpy1Ms = s.median_ms;
    row.ratio = row.oursMs / Math.min(m.median_ms, s.median_ms);
    row.maxDiff = diff;
    if (!(diff <= TOLERANCE)) ctx.failures.push(`${row.id}: our gradients and NumPy's BPTT differ by ${diff} (> ${TOLERANCE})`);
  }
  return { rows, numpy: mt.numpy };
}

/** The table lines for the text report. */
export function printBackward(b) {
  if (!b?.rows?.length) return [];
  const f = (x) => (x == null ? '—' : x < 10 ? x.toFixed(2) : x.toFixed(0));
  const lines = ['', 'Backward pass: gradients(model, X, T, {loss: "mse"}) — forward with tape + loss + BPTT, float64 — vs NumPy BPTT (scripts/bench_numpy.py --backward)'];
  lines.push(`  ${'workload'.padEnd(22)} ${'N'.padStart(5)} ${'T'.padStart(4)} ${'params'.padStart(7)} ${'ours ms'.padStart(9)} ${'NumPy ms'.padStart(9)} ${'NumPy 1t'.padStart(9)} ${'ratio'.padStart(7)}  max |Δ|/(1+|g|)`);
  for (const r of b.rows) {
    lines.push(`  ${r.id.padEnd(22)} ${String(r.n).padStart(5)} ${String(r.t).padStart(4)} ${String(r.params).padStart(7)} ${f(r.oursMs).padStart(9)} ${f(r.numpyMs).padStart(9)} ${f(r.numpy1Ms).padStart(9)} ${(r.ratio == null ? '—' : `${r.ratio.toFixed(2)}×`).padStart(7)}  ${r.maxDiff == null ? '—' : r.maxDiff.toExponential(1)}`);
  }
  lines.push('  ratio = ours / NumPy best (of its default BLAS threads and one thread); target ≤ 1.0');
  for (const r of b.rows) lines.push(`  ${r.id}: ${r.what}`);
  return lines;
}
