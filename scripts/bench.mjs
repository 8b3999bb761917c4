#!/usr/bin/env node
/**
 * `npm run bench`: the speed of the by-hand forward pass, side by side with the NumPy replication
 * the user's notebooks run, on the same machine, on real model files. See docs/benchmarks.md.
 *
 *   node scripts/bench.mjs [--json] [--only=id,id] [--no-numpy] [--keep] [--core=path/to/index.js]
 *
 * For each workload (model file × N samples): openModel cold (a fresh Node process) and warm
 * (median in-process), forward() (median after a warm-up), then the same model replayed by
 * scripts/bench_numpy.py (weights written with the core's writeNpy as float32, inputs from
 * randomInputs(model, N, 0) = np.random.seed(0)), twice: NumPy's default BLAS threads and
 * OPENBLAS_NUM_THREADS=1. Our outputs must agree with NumPy's within 1e-5, else exit 1.
 *
 * Speed targets live here, never in timed tests. Ratios are ours / NumPy: above 1 we are slower.
 */
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchBackward, printBackward } from './bench_backward.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..');
const TOLERANCE = 1e-5;
// Per workload and side: warm-up runs until WARMUP_MS has passed (at least one), then
// runs = clamp(BUDGET_MS / one run, MIN_RUNS, MAX_RUNS) timed runs, and their median is reported.
const WARMUP_MS = 300;
const BUDGET_MS = 1500;
const MIN_RUNS = 3;
const MAX_RUNS = 200;

// ---------------------------------------------------------------------------------- arguments

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(`--${name}`);
const option = (name) => {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(name.length + 3) : undefined;
};
const JSON_OUT = flag('json');
const corePath = path.resolve(option('core') ?? path.join(ROOT, 'out', 'src', 'core', 'index.js'));
const log = (...a) => console.error(...a);

const KNOWN = ['json', 'no-numpy', 'no-keras', 'no-big', 'no-backward', 'keep', 'help'];
const KNOWN_OPTIONS = ['only', 'core', 'child-open', 'child-summary'];

/**
 * This process's peak resident memory in kB: VmHWM from /proc/self/status, which starts afresh at
 * exec. (getrusage's ru_maxrss, process.resourceUsage().maxRSS, carries the parent's peak across
 * fork + exec on Linux: every child of a 336 MB bench process reported 336 MB.) Elsewhere maxRSS.
 */
const PEAK_RSS_SRC = "(()=>{try{const m=/VmHWM:\\s*(\\d+)/.exec(require('fs').readFileSync('/proc/self/status','utf8'));if(m)return +m[1]}catch{}return process.resourceUsage().maxRSS})()";
const peakRssKB = () => {
  try {
    const m = /VmHWM:\s*(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return +m[1];
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS;
};

if (flag('help') || flag('h')) {
  console.log('usage: node scripts/bench.mjs [--json] [--only=id,id] [--no-numpy] [--no-keras] [--no-big] [--no-backward] [--keep] [--core=path/to/core/index.js]\nsee docs/benchmarks.md');
  process.exit(0);
}
for (const a of argv) {
  if (!KNOWN.some((k) => a === `--${k}`) && !KNOWN_OPTIONS.some((k) => a.startsWith(`--${k}=`))) {
    console.error(`[bench] unknown argument ${a} (try --help)`);
    process.exit(2);
  }
}

// Child mode: one cold openModel in a fresh process (h5wasm start-up included; loading the core's
// modules is timed separately as requireMs).
if (option('child-open')) {
  const t0 = performance.now();
  const core = createRequire(import.meta.url)(corePath);
  const t1 = performance.now();
  await core.openModel(option('child-open'));
  const t2 = performance.now();
  process.stdout.write(JSON.stringify({ requireMs: t1 - t0, openMs: t2 - t1 }) + '\n');
  process.exit(0);
}

// Child mode: `rnn-inspector summary FILE` in a fresh process (the CLI's own main()), output
// discarded; prints the in-process time and the process's peak RSS.
if (option('child-summary')) {
  const t0 = performance.now();
  const cli = createRequire(import.meta.url)(path.join(path.dirname(corePath), '..', 'cli', 'main.js'));
  const t1 = performance.now();
  const code = await cli.main(['summary', option('child-summary')], () => {});
  const t2 = performance.now();
  process.stdout.write(JSON.stringify({ code, requireMs: t1 - t0, summaryMs: t2 - t1, maxRssKB: peakRssKB() }) + '\n');
  process.exit(0);
}

// ---------------------------------------------------------------------------------- workloads

const corpus = (name) =>
  [path.resolve(ROOT, '..', 'shared', 'corpus', 'files', name), path.join('/work/shared/corpus/files', name)].find((p) => fs.existsSync(p)) ??
  path.resolve(ROOT, '..', 'shared', 'corpus', 'files', name);

const SEED = 'test/fixtures/keras/seed_n15/model.h5';
const WORKLOADS = [
  { id: 'notebook-n15', what: 'SimpleRNN(5)→Dense(2), the notebook model', file: path.join(ROOT, SEED), n: 15 },
  { id: 'notebook-n10k', what: 'the same at N=10000', file: path.join(ROOT, SEED), n: 10000 },
  {
    id: 'stacked-simplernn',
    what: 'SimpleRNN 128→64→32 + Dense (Temp4Cast .keras)',
    file: corpus('CodingRayyan__22-pr3-Temp4Cast-SimpleRNN-LSTM-GRU__rnn_temperature_model.keras'),
    n: 256,
  },
  { id: 'lstm-stacked', what: 'LSTM(6)→LSTM(4)→Dense(1)', file: path.join(ROOT, 'test/fixtures/keras/lstm_stacked/model.h5'), n: 512 },
  { id: 'gru-embedding', what: 'Embedding(500,16)→GRU(8)→Dense(1), int ids', file: corpus('cnjxkdrk__hongong__best-gru-model.h5'), n: 512 },
  {
    id: 'bilstm',
    what: 'Bidirectional LSTM(64)×2 + Dense (Scotland births)',
    file: corpus('danisharain12__Scotland-Birth-rate-Forecasting-__bilstm_model.h5'),
    n: 1024,
  },
  {
    id: 'simplernn-large',
    what: 'SimpleRNN(256)→Dense(10), D=64: notebook JSON weights made by the bench (33.6 GFLOP)',
    generate: writeLargeSimpleRnn,
    file: null,
    n: 1024,
    t: 200,
  },
];

/**
 * The large workload of issue 11: the notebooks' JSON dump {Wx, Wh, bh, Wo, bo} for D=64, M=256,
 * K=10, float32 values from a fixed LCG (uniform, scaled like Glorot), written into the bench's temp dir.
 */
function writeLargeSimpleRnn(dir) {
  const [D, M, K] = [64, 256, 10];
  let s = 12345;
  const rnd = () => (s = (s * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
  const mat = (r, c, sc) => Array.from({ length: r }, () => Array.from({ length: c }, () => Math.fround(rnd() * sc)));
  const vec = (n, sc) => Array.from({ length: n }, () => Math.fround(rnd() * sc));
  const file = path.join(dir, 'simplernn_large.json');
  fs.writeFileSync(file, JSON.stringify({ Wx: mat(D, M, 2 / Math.sqrt(D)), Wh: mat(M, M, 2 / Math.sqrt(M)), bh: vec(M, 0.2), Wo: mat(M, K, 2 / Math.sqrt(M)), bo: vec(K, 0.2) }));
  return file;
}

// ---------------------------------------------------------------------------------- helpers

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function run(cmd, args, opts = {}) {
  return spawnSync(cmd, args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
}

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/** src/core files whose compiled .js is missing or older than the .ts. */
function staleCore() {
  const src = path.join(ROOT, 'src', 'core');
  return walk(src)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !f.includes(`${path.sep}simd${path.sep}`)) // simd/: AssemblyScript, built by build-wasm.mjs
    .filter((f) => {
      const js = path.join(ROOT, 'out', path.relative(ROOT, f)).replace(/\.ts$/, '.js');
      return !fs.existsSync(js) || fs.statSync(js).mtimeMs < fs.statSync(f).mtimeMs;
    });
}

function ensureBuilt() {
  if (option('core')) return;
  const stale = staleCore();
  if (!stale.length) return;
  log(`[bench] out/ is missing or stale (${stale.length} core file${stale.length === 1 ? '' : 's'}): npx tsc -p tsconfig.test.json`);
  const r = run('npx', ['tsc', '-p', 'tsconfig.test.json']);
  const still = staleCore();
  if (still.length) {
    throw new Error(`tsc did not produce a fresh core (exit ${r.status}):\n${(r.stdout + r.stderr).trim().slice(0, 4000)}`);
  }
  if (r.status !== 0) log(`[bench] tsc reported errors (exit ${r.status}) but compiled the core; going on:\n${(r.stdout + r.stderr).trim().slice(0, 1500)}`);
}

/** Which commit the measured core is, and whether src/core has uncommitted changes. */
function coreRevision() {
  if (path.relative(ROOT, corePath).startsWith('..')) return { head: null, dirty: [], path: corePath, external: true };
  const head = run('git', ['rev-parse', '--short', 'HEAD']).stdout?.trim() || null;
  const dirty = (run('git', ['status', '--porcelain', '--', 'src/core']).stdout ?? '')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(3));
  return { head, dirty, path: path.relative(ROOT, corePath) || corePath };
}

function activationName(a) {
  if (a == null) return 'linear';
  if (typeof a === 'string') return a;
  if (typeof a === 'object') {
    if (typeof a.config === 'string') return a.config;
    if (a.config && typeof a.config.name === 'string') return a.config.name;
    return String(a.class_name ?? 'custom');
  }
  return String(a);
}

const role = (w) => w.role.split('/').pop().replace(/:\d+$/, '');
const CONFIG_KEYS = ['units', 'activation', 'recurrent_activation', 'return_sequences', 'go_backwards', 'reset_after', 'merge_mode', 'use_bias'];

/** Writes one layer's weights (float32, as Keras stores them) and returns its manifest entry. */
function dumpLayer(core, layer, dir, prefix) {
  const config = {};
  for (const k of CONFIG_KEYS) if (layer.config[k] !== undefined) config[k] = layer.config[k];
  if ('activation' in config) config.activation = activationName(config.activation);
  if ('recurrent_activation' in config) config.recurrent_activation = activationName(config.recurrent_activation);
  const entry = { class_name: layer.className, name: layer.name, config, weights: {} };
  const own = layer.className === 'Bidirectional' ? [] : layer.weights;
  own.forEach((w, i) => {
    if (!w.data) throw new Error(`layer ${layer.name}: weight ${w.name} not loaded`);
    const r = role(w);
    const file = `${prefix}_${i}_${r}.npy`;
    fs.writeFileSync(path.join(dir, file), core.writeNpy({ shape: w.shape, data: Float64Array.from(w.data) }, 'float32'));
    entry.weights[r] = file;
    if (layer.className === 'GRU' && r === 'bias') config.reset_after = w.shape.length === 2; // the stored bias decides, as in the core
  });
  if (layer.className === 'Bidirectional') {
    if (layer.inner?.length !== 2) throw new Error(`layer ${layer.name}: Bidirectional without its two inner layers`);
    if (config.merge_mode === undefined) config.merge_mode = 'concat';
    entry.inner = layer.inner.map((l, k) => dumpLayer(core, l, dir, `${prefix}_${k ? 'bwd' : 'fwd'}`));
  }
  return entry;
}

/** The model as a plain chain (what the NumPy replication replays); throws otherwise. */
function chain(model) {
  const layers = model.layers;
  if (model.inputs.length !== 1 || model.outputs.length !== 1) throw new Error('the NumPy replication handles one input and one output');
  const out = [];
  for (let i = 1; i < layers.length; i++) {
    const ib = layers[i].inbound;
    if (ib.length !== 1 || ib[0].length !== 1 || ib[0][0].layer !== layers[i - 1].name) {
      throw new Error(`layer ${layers[i].name} is not fed by ${layers[i - 1].name}: the NumPy replication handles plain chains only`);
    }
    out.push(layers[i]);
  }
  if (layers[0].className !== 'InputLayer' || model.outputs[0].layer !== layers[layers.length - 1].name) throw new Error('not a plain chain');
  return out;
}

function maxAbsDiff(a, b) {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) return Infinity;
  let m = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i];
    const y = b.data[i];
    const d = Math.abs(x - y);
    if (Number.isNaN(d)) {
      if (!(Number.isNaN(x) && Number.isNaN(y))) return Infinity;
    } else if (d > m) m = d;
  }
  return m;
}

function pickRuns(warmMs) {
  return Math.max(MIN_RUNS, Math.min(MAX_RUNS, Math.ceil(BUDGET_MS / Math.max(warmMs, 1e-3))));
}

// ---------------------------------------------------------------------------------- NumPy

const BLAS_ENV_DROPPED = ['OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE'];

function numpyEnv(threads) {
  const env = { ...process.env };
  for (const k of BLAS_ENV_DROPPED) delete env[k]; // together, in the child only (see docs/benchmarks.md)
  if (threads != null) {
    env.OPENBLAS_NUM_THREADS = String(threads);
    env.OMP_NUM_THREADS = String(threads);
    env.MKL_NUM_THREADS = String(threads);
  }
  return env;
}

function findPython() {
  const candidates = [process.env.RNN_INSPECTOR_PYTHON, '/root/tfvenv/bin/python', path.join(ROOT, '.venv', 'bin', 'python'), 'python3'].filter(Boolean);
  const tried = [];
  for (const p of candidates) {
    const r = run(p, ['-c', 'import numpy; print(numpy.__version__)'], { env: numpyEnv(null), timeout: 60_000 });
    if (r.status === 0) return { python: p, tried };
    tried.push(p);
  }
  return { python: null, tried };
}

function runNumpy(python, dir, threads, tag) {
  const r = run(python, [path.join(HERE, 'bench_numpy.py'), dir, '--warmup-ms', String(WARMUP_MS), '--budget-ms', String(BUDGET_MS), '--min-runs', String(MIN_RUNS), '--max-runs', String(MAX_RUNS), '--tag', tag], {
    env: numpyEnv(threads),
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`bench_numpy.py failed (exit ${r.status}${r.signal ? `, ${r.signal}` : ''}):\n${(r.stderr || r.stdout).trim()}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

// ---------------------------------------------------------------------------------- main

async function main() {
  ensureBuilt();
  const require = createRequire(import.meta.url);
  const core = require(corePath);
  const only = option('only')?.split(',');
  const workloads = WORKLOADS.filter((w) => !only || only.includes(w.id));
  if (!workloads.length && !only?.some((o) => o === 'big' || o === 'verify-scale' || o.startsWith('bw') || o === 'backward')) throw new Error(`no workload matches --only (ids: ${WORKLOADS.map((w) => w.id).join(', ')})`);

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-inspector-bench-'));
  const cpus = os.cpus();
  const results = {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus[0]?.model ?? '?',
      cores: os.availableParallelism(),
      platform: `${os.platform()} ${os.arch()}`,
      node: process.version,
      loadBefore: os.loadavg(),
      loadAfter: null,
    },
    core: coreRevision(),
    numpy: null,
    workloads: [],
  };
  const skipped = [];
  const coldCache = new Map();
  const parallel = loadParallel();

  for (const w of workloads) {
    if (w.generate) w.file = w.generate(tmp);
    if (!fs.existsSync(w.file)) {
      skipped.push(`${w.id}: ${w.file} not found`);
      log(`[bench] ${w.id}: skipped, ${w.file} not found`);
      continue;
    }
    log(`[bench] ${w.id}: open…`);
    // Cold: a fresh process; the same file's cold time is measured once.
    if (!coldCache.has(w.file)) {
      const c = run(process.execPath, [fileURLToPath(import.meta.url), `--child-open=${w.file}`, `--core=${corePath}`]);
      if (c.status !== 0) throw new Error(`${w.id}: cold openModel failed:\n${c.stderr}`);
      coldCache.set(w.file, JSON.parse(c.stdout.trim()));
    }
    const cold = coldCache.get(w.file);
    let model = await core.openModel(w.file);
    const openRuns = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      model = await core.openModel(w.file);
      openRuns.push(performance.now() - t0);
    }
    const summary = core.summarize(model);
    const rnd = core.randomInputs(model, w.n, 0, w.t ?? 10);
    const inputs = rnd.arrays;

    log(`[bench] ${w.id}: forward N=${w.n}…`);
    let t0 = performance.now();
    const ours = core.forward(model, inputs);
    let warm = performance.now() - t0;
    for (let spent = warm; spent < WARMUP_MS; spent += warm) {
      t0 = performance.now();
      core.forward(model, inputs);
      warm = performance.now() - t0;
    }
    const runs = [];
    for (let i = 0, k = pickRuns(warm); i < k; i++) {
      t0 = performance.now();
      core.forward(model, inputs);
      runs.push(performance.now() - t0);
    }

    const fast = await timeFastPaths(core, parallel, model, inputs, w.id);

    // What bench_numpy.py replays.
    const dir = path.join(tmp, w.id);
    fs.mkdirSync(dir);
    const layers = chain(model).map((l, i) => dumpLayer(core, l, dir, `L${i}`));
    const inputFiles = inputs.map((x, i) => {
      const file = `X${i}.npy`;
      fs.writeFileSync(path.join(dir, file), core.writeNpy(x, 'float64'));
      return { file, shape: x.shape };
    });
    const manifest = {
      id: w.id,
      model: w.file,
      keras_version: model.kerasVersion ?? null,
      inputs: inputFiles,
      rng_python: rnd.python,
      rng_names: inputs.length > 1 ? inputs.map((_, i) => `X${i}`) : ['X'],
      layers,
    };
    fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));

    results.workloads.push({
      id: w.id,
      what: w.what,
      file: path.relative(ROOT, w.file).startsWith('..') ? path.basename(w.file) : path.relative(ROOT, w.file),
      n: w.n,
      t: inputs[0].shape[1],
      inputShape: inputs[0].shape,
      params: summary.totalParams,
      openColdMs: cold.openMs,
      coreLoadMs: cold.requireMs,
      openWarmMs: median(openRuns),
      forwardMs: median(runs),
      forwardRunsMs: runs,
      forwardWarmupMs: warm,
      ...fast.report,
      oursF64Ms: fast.report.oursF64Ms ?? median(runs),
      _ours: ours.outputs.map((o) => o.array),
      _oursF32: fast.f32Outputs,
    });
  }
  fs.writeFileSync(path.join(tmp, 'index.json'), JSON.stringify({ workloads: results.workloads.map((w) => w.id) }));

  // NumPy, after our timings so that the two never share the machine.
  let failures = [];
  const { python, tried } = flag('no-numpy') ? { python: null, tried: [] } : findPython();
  if (python && results.workloads.length) {
    const cores = os.availableParallelism();
    const mtThreads = process.env.OPENBLAS_NUM_THREADS ? Number(process.env.OPENBLAS_NUM_THREADS) : cores;
    log(`[bench] NumPy (${python}): ${mtThreads} BLAS thread(s)…`);
    const mt = runNumpy(python, tmp, mtThreads, 'mt');
    log(`[bench] NumPy: 1 BLAS thread…`);
    const st = runNumpy(python, tmp, 1, 'st');
    const dropped = Object.fromEntries(BLAS_ENV_DROPPED.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]]));
    results.numpy = {
      python: mt.python,
      pythonVersion: mt.python_version,
      version: mt.numpy,
      blas: mt.blas,
      blasSingle: st.blas,
      threadsMulti: mt.blas?.threads ?? mtThreads,
      threadsSingle: st.blas?.threads ?? 1,
      envUnset: dropped,
    };
    for (const w of results.workloads) {
      const m = mt.workloads.find((x) => x.id === w.id);
      const s = st.workloads.find((x) => x.id === w.id);
      const dir = path.join(tmp, w.id);
      const diff = (r) =>
        Math.max(
          ...r.outputs.map((f, k) => {
            const theirs = core.parseNpy(fs.readFileSync(path.join(dir, f)), f);
            return w._ours[k] ? maxAbsDiff(w._ours[k], theirs) : Infinity;
          }),
        );
      w.numpyMs = m.median_ms;
      w.numpyRunsMs = m.runs_ms;
      w.numpy1Ms = s.median_ms;
      w.numpy1RunsMs = s.runs_ms;
      w.ratio = w.forwardMs / w.numpyMs;
      w.ratio1 = w.forwardMs / w.numpy1Ms;
      w.maxAbsDiff = Math.max(diff(m), diff(s));
      w.inputsVsNumpyRng = m.inputs_vs_numpy_rng;
      checkF32AgainstNumpy(core, w, dir, m, failures);
      if (!(w.maxAbsDiff <= TOLERANCE)) failures.push(`${w.id}: ours and NumPy's outputs differ by ${w.maxAbsDiff} (> ${TOLERANCE})`);
      // randomInputs = np.random.seed(0) draw, up to the last bit on rare draws (glibc's log; src/core/arrays/log.ts).
      const rng = m.inputs_vs_numpy_rng;
      if (rng && !(rng.max_abs_diff <= 1e-12)) failures.push(`${w.id}: randomInputs(model, ${w.n}, 0) differs from NumPy's np.random.seed(0) draw by ${rng.max_abs_diff}`);
    }
  } else {
    results.numpy = flag('no-numpy') ? { skipped: true } : { found: false, tried };
  }
  if (python && !flag('no-big') && (!only || only.includes('big'))) {
    results.bigFiles = bigFiles(python);
    // A file the generator wrote that summary refuses is a bug (a limit set too low once did this).
    if (results.bigFiles.error && /summary/.test(results.bigFiles.error)) failures.push(results.bigFiles.error);
  }
  if (python && !flag('no-big') && (!only || only.includes('verify-scale'))) results.verifyScale = verifyScale(python);
  if (python && results.workloads.length && !flag('no-keras')) results.keras = kerasColumn(core, python, tmp, results.workloads);
  for (const w of results.workloads) {
    delete w._ours;
    delete w._oursF32;
  }
  // The backward pass rows (scripts/bench_backward.mjs): --only=backward for them alone, --no-backward to skip.
  if (!flag('no-backward') && (!only || only.some((id) => id.startsWith('bw') || id === 'backward'))) {
    const threads = process.env.OPENBLAS_NUM_THREADS ? Number(process.env.OPENBLAS_NUM_THREADS) : os.availableParallelism();
    results.backward = await benchBackward({ core, python, tmp, root: ROOT, corpus, env: numpyEnv, threads, log, failures, only });
  }
  results.machine.loadAfter = os.loadavg();
  if (skipped.length) results.skipped = skipped;
  results.failures = failures;
  if (flag('keep')) results.tmp = tmp;
  else fs.rmSync(tmp, { recursive: true, force: true });

  if (JSON_OUT) process.stdout.write(JSON.stringify(results, null, 2) + '\n');
  else printTable(results);
  if (failures.length) {
    console.error(`\n[bench] FAILED — the benchmark computed something different from NumPy:\n  ${failures.join('\n  ')}`);
    process.exit(1);
  }
}

// ---------------------------------------------------------------------------------- fast paths, Keras

/** The CLI's forwardParallel (out/src/cli/parallel.js beside the core), or null with --core elsewhere. */
function loadParallel() {
  const p = path.join(path.dirname(corePath), '..', 'cli', 'parallel.js');
  return fs.existsSync(p) ? createRequire(import.meta.url)(p) : null;
}

/** Warm-up and timed runs of an async or sync `fn`, as for the f64 column; returns the median and the last output. */
async function timeIt(fn) {
  let t0 = performance.now();
  let out = await fn();
  let warm = performance.now() - t0;
  for (let spent = warm; spent < WARMUP_MS; spent += warm) {
    t0 = performance.now();
    out = await fn();
    warm = performance.now() - t0;
  }
  const runs = [];
  for (let i = 0, k = pickRuns(warm); i < k; i++) {
    t0 = performance.now();
    await fn();
    runs.push(performance.now() - t0);
  }
  return { ms: median(runs), runs, out };
}

/**
 * float32 on one thread, and both precisions as the CLI runs them (forwardParallel: worker threads
 * split the samples when the work pays, measured per call). `oursF64Ms` / `oursF32Ms` are the CLI's,
 * always timed through forwardParallel (with one thread that is forward() and a few microseconds).
 */
async function timeFastPaths(core, parallel, model, inputs, id) {
  log(`[bench] ${id}: float32, and the CLI's threads…`);
  const f32 = await timeIt(() => core.forward(model, inputs, { precision: 'f32' }));
  const report = { kernels: f32.out.kernels, forwardF32Ms: f32.ms, forwardF32RunsMs: f32.runs, threads: 1 };
  report.oursF32Ms = f32.ms;
  if (parallel) {
    // As the CLI runs it, always: forwardParallel decides per call (its estimate, a worker already
    // holding the model, and which of one thread or the split was faster lately); `thr` is the
    // threads most of the timed runs used.
    const threadsOf = [];
    const call = (precision) => async () => {
      const r = await parallel.forwardParallel(model, inputs, { precision });
      threadsOf.push(r.threads);
      return r;
    };
    const p64 = await timeIt(call('f64'));
    const used = threadsOf.slice(-p64.runs.length);
    const mode = (xs) => [...new Set(xs)].sort((a, b) => xs.filter((x) => x === b).length - xs.filter((x) => x === a).length)[0];
    report.threads = mode(used);
    report.threadsF64Runs = used;
    threadsOf.length = 0;
    const p32 = await timeIt(call('f32'));
    report.threadsF32 = mode(threadsOf.slice(-p32.runs.length));
    Object.assign(report, { parallelF64Ms: p64.ms, parallelF64RunsMs: p64.runs, parallelF32Ms: p32.ms, parallelF32RunsMs: p32.runs, oursF32Ms: p32.ms });
    report.oursF64Ms = p64.ms;
  }
  return { report, f32Outputs: f32.out.outputs.map((o) => o.array) };
}

/** Our float32 outputs against NumPy's float64 ones: the verification rule (atol 1e-5 + rtol 1e-4). */
function checkF32AgainstNumpy(core, w, dir, m, failures) {
  const best = Math.min(w.numpyMs, w.numpy1Ms);
  w.numpyBestMs = best;
  w.ratioBestF64 = w.oursF64Ms / best;
  w.ratio1F64 = w.oursF64Ms / w.numpy1Ms;
  w.ratioBestF32 = w.oursF32Ms / best;
  let worst = 0;
  let ok = true;
  m.outputs.forEach((f, k) => {
    const theirs = core.parseNpy(fs.readFileSync(path.join(dir, f)), f);
    const ours = w._oursF32[k];
    for (let i = 0; i < theirs.data.length; i++) {
      const d = Math.abs(ours.data[i] - theirs.data[i]);
      if (!(d <= worst)) worst = d;
      if (!(d <= 1e-5 + 1e-4 * Math.abs(theirs.data[i]))) ok = false;
    }
  });
  w.maxAbsDiffF32 = worst;
  if (!ok) failures.push(`${w.id}: our float32 outputs and NumPy's differ beyond atol 1e-5 + rtol 1e-4 (max |Δ| ${worst})`);
}

/** Keras predict on the same workloads (scripts/bench_keras.py); null column when TF is not installed. */
function kerasColumn(core, python, tmp, workloads) {
  log('[bench] Keras predict (TensorFlow, default threads)…');
  const r = run(python, [path.join(HERE, 'bench_keras.py'), tmp, '--warmup-ms', String(WARMUP_MS), '--budget-ms', String(BUDGET_MS), '--min-runs', String(MIN_RUNS), '--max-runs', String(MAX_RUNS)], {
    env: numpyEnv(null),
    timeout: 900_000,
  });
  if (r.status === 3) return { found: false, reason: r.stderr.trim() };
  if (r.status !== 0) {
    log(`[bench] bench_keras.py failed (exit ${r.status}): ${(r.stderr || r.stdout).trim().split('\n').pop()}`);
    return { found: false, reason: (r.stderr || r.stdout).trim().slice(-2000) };
  }
  const k = JSON.parse(r.stdout.trim().split('\n').pop());
  for (const w of workloads) {
    const kw = k.workloads.find((x) => x.id === w.id);
    if (!kw) continue;
    w.kerasMs = kw.median_ms;
    w.kerasRunsMs = kw.runs_ms;
    w.ratioKeras = w.oursF64Ms / kw.median_ms;
    w.ratioKerasF32 = w.oursF32Ms / kw.median_ms;
    const theirs = core.parseNpy(fs.readFileSync(path.join(tmp, w.id, kw.outputs[0])), kw.outputs[0]);
    w.maxAbsDiffKeras = w._ours[0] ? maxAbsDiff(w._ours[0], theirs) : null;
  }
  return { found: true, keras: k.keras, tensorflow: k.tensorflow, threads: k.threads };
}

// ---------------------------------------------------------------------------------- 1 GB files

/** A preload script that prints `@@bench {code, wallMs, maxRssKB}` on stderr when the process exits. */
function exitHook() {
  const f = path.join(os.tmpdir(), 'rnn-inspector-bench-exit-hook.cjs');
  fs.writeFileSync(
    f,
    `process.on('exit', (code) => { require('fs').writeSync(2, '\\n@@bench ' + JSON.stringify({ code, wallMs: performance.now(), maxRssKB: ${PEAK_RSS_SRC} }) + '\\n'); });\n`,
  );
  return f;
}

/** The line of a child's stderr that says what went wrong (not Node's trailing version line). */
function problemLine(stderr) {
  const lines = stderr.trim().split('\n').map((l) => l.trim()).filter((l) => l && !/^Node\.js v|^at |^\^/.test(l));
  return lines.find((l) => /Error|error:|: /.test(l)) ?? lines.pop() ?? '(no message)';
}

/**
 * `summary` of a 1 GB model (Embedding(2e6, 128) → LSTM(256) → Dense(10)) as .keras, .weights.h5
 * and .h5, written once by scripts/bench_big_model.py into the temp dir (kept there between runs,
 * never committed). Each file: 3 fresh processes; wall time of the process, time inside it, peak RSS.
 */
function bigFiles(python) {
  const dir = path.join(os.tmpdir(), 'rnn-inspector-bench-1gb');
  log(`[bench] 1 GB model files in ${dir} (written once by scripts/bench_big_model.py)…`);
  const g = run(python, [path.join(HERE, 'bench_big_model.py'), dir], { env: numpyEnv(null), timeout: 900_000 });
  if (g.status !== 0) return { error: (g.stderr || g.stdout).trim().split('\n').pop() };
  const info = JSON.parse(g.stdout.trim().split('\n').pop());
  const files = [];
  const hasBundle = fs.existsSync(path.join(ROOT, 'dist', 'cli.js'));
  for (const name of ['big.keras', 'big.weights.h5', 'big.h5']) {
    const file = path.join(dir, name);
    const runs = [];
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      const c = run(process.execPath, [fileURLToPath(import.meta.url), `--child-summary=${file}`, `--core=${corePath}`]);
      const wallMs = performance.now() - t0;
      if (c.status !== 0) return { error: `summary of ${name} failed: ${problemLine(c.stderr)}` };
      const r = { wallMs, ...JSON.parse(c.stdout.trim().split('\n').pop()) };
      if (hasBundle) {
        // The shipped bundle as a user runs it (`node dist/cli.js summary FILE`: h5wasm in its own file,
        // the opening worker), with a preloaded hook printing the time since process start and the peak RSS at exit.
        const b = run(process.execPath, ['--require', exitHook(), path.join(ROOT, 'dist', 'cli.js'), 'summary', file]);
        const m = /@@bench (\{.*\})/.exec(b.stderr);
        const j = m && JSON.parse(m[1]);
        if (!j || j.code !== 0) return { error: `dist/cli.js summary ${name} failed: ${problemLine(b.stderr)}` };
        r.cliMs = j.wallMs;
        r.cliRssKB = j.maxRssKB;
      }
      runs.push(r);
    }
    files.push({
      name,
      bytes: fs.statSync(file).size,
      wallMs: median(runs.map((r) => r.wallMs)),
      summaryMs: median(runs.map((r) => r.summaryMs)),
      peakRssMB: Math.max(...runs.map((r) => r.maxRssKB)) / 1024,
      ...(hasBundle ? { cliMs: median(runs.map((r) => r.cliMs)), cliPeakRssMB: Math.max(...runs.map((r) => r.cliRssKB)) / 1024 } : {}),
      runs,
    });
  }
  return { dir, params: info.params, keras: info.keras, files };
}

/**
 * `rnn-inspector verify --inputs X.npy --expected Y.npy` of the notebook model for growing N
 * (X.npy 24 MB to 720 MB; from 64 MB on the CLI streams it in batches): wall time and peak RSS of a
 * fresh process. Data by scripts/bench_verify_data.py (NumPy's replay), kept in the temp dir.
 */
function verifyScale(python) {
  const dir = path.join(os.tmpdir(), 'rnn-inspector-bench-verify');
  const model = path.join(ROOT, SEED);
  const ns = [100_000, 1_000_000, 3_000_000];
  log(`[bench] verify at scale: N = ${ns.join(', ')} (data in ${dir})…`);
  const g = run(python, [path.join(HERE, 'bench_verify_data.py'), dir, model, ...ns.map(String)], { env: numpyEnv(null), timeout: 900_000 });
  if (g.status !== 0) return { error: (g.stderr || g.stdout).trim().split('\n').pop() };
  const cli = path.join(path.dirname(corePath), '..', 'cli', 'main.js');
  const rows = [];
  for (const n of ns) {
    const x = path.join(dir, `X_${n}.npy`);
    const script = `const t=performance.now();require(${JSON.stringify(cli)}).main(['verify',${JSON.stringify(model)},'--inputs',${JSON.stringify(x)},'--expected',${JSON.stringify(path.join(dir, `Y_${n}.npy`))},'--json'],(s)=>{globalThis.out=s}).then((code)=>{const j=JSON.parse(globalThis.out);console.log(JSON.stringify({code,ms:performance.now()-t,maxRssKB:${PEAK_RSS_SRC},pass:j.pass,batches:j.batches??1,maxAbsDiff:j.outputs[0].max_abs_diff}))})`;
    const t0 = performance.now();
    const c = run(process.execPath, ['-e', script]);
    const wallMs = performance.now() - t0;
    if (c.status !== 0) return { error: `verify N=${n} failed: ${c.stderr.trim().split('\n').pop()}` };
    const r = JSON.parse(c.stdout.trim().split('\n').pop());
    rows.push({ n, xBytes: fs.statSync(x).size, wallMs, ...r, peakRssMB: r.maxRssKB / 1024, usPerSample: (1000 * r.ms) / n });
  }
  return { dir, rows };
}

function printVerifyScale(v) {
  if (!v) return [];
  if (v.error) return ['', `verify at scale: not measured (${v.error})`];
  const lines = ['', 'verify at scale: the notebook model, X.npy / Y.npy (NumPy), a fresh process per N (streamed in batches from 64 MB of X)'];
  lines.push(`  ${'N'.padStart(9)} ${'X.npy'.padStart(9)} ${'batches'.padStart(8)} ${'time'.padStart(9)} ${'µs/sample'.padStart(10)} ${'peak RSS'.padStart(9)} ${'max |Δ|'.padStart(8)}  result`);
  for (const r of v.rows) {
    lines.push(`  ${String(r.n).padStart(9)} ${`${(r.xBytes / 1e6).toFixed(0)} MB`.padStart(9)} ${String(r.batches).padStart(8)} ${`${(r.ms / 1000).toFixed(2)} s`.padStart(9)} ${r.usPerSample.toFixed(2).padStart(10)} ${`${r.peakRssMB.toFixed(0)} MB`.padStart(9)} ${fmtDiff(r.maxAbsDiff).padStart(8)}  ${r.pass ? 'pass' : 'FAIL'}`);
  }
  return lines;
}

function printBigFiles(b) {
  if (!b) return [];
  if (b.error) return ['', `1 GB files: not measured (${b.error})`];
  const lines = ['', `1 GB model, ${b.params.toLocaleString('en-US')} parameters (Keras ${b.keras}): rnn-inspector summary in a fresh process (median of 3; target < 500 ms and < 150 MB)`];
  const cli = b.files.some((f) => f.cliMs != null);
  lines.push(`  ${'file'.padEnd(16)} ${'size'.padStart(9)} ${'process'.padStart(9)} ${'in-process'.padStart(11)} ${'peak RSS'.padStart(9)}${cli ? `  ${'dist/cli.js'.padStart(11)} ${'its RSS'.padStart(8)}` : ''}`);
  for (const f of b.files) {
    const c = cli ? `  ${`${f.cliMs.toFixed(0)} ms`.padStart(11)} ${`${f.cliPeakRssMB.toFixed(0)} MB`.padStart(8)}` : '';
    lines.push(`  ${f.name.padEnd(16)} ${`${(f.bytes / 1e9).toFixed(2)} GB`.padStart(9)} ${`${f.wallMs.toFixed(0)} ms`.padStart(9)} ${`${f.summaryMs.toFixed(0)} ms`.padStart(11)} ${`${f.peakRssMB.toFixed(0)} MB`.padStart(9)}${c}`);
  }
  if (cli) lines.push('  process / in-process / peak RSS: the compiled sources (out/); dist/cli.js: the shipped bundle, wall time from its process start');
  return lines;
}

// ---------------------------------------------------------------------------------- table

function fmtMs(x) {
  if (x == null || Number.isNaN(x)) return '—';
  return x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x >= 1 ? x.toFixed(2) : x.toFixed(3);
}
const fmtRatio = (x) => (x == null ? '—' : x >= 10 ? `${x.toFixed(0)}×` : `${x.toFixed(2)}×`);
const fmtDiff = (x) => (x == null ? '—' : x === 0 ? '0' : x.toExponential(1));

function printTable(r) {
  const np = r.numpy;
  const lines = [];
  lines.push(`RNN Inspector benchmark — ${r.date.slice(0, 10)} — ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}`);
  lines.push(
    r.core.external
      ? `core: ${r.core.path} (--core: outside this repo, revision unknown)`
      : `core: ${r.core.path} @ ${r.core.head ?? '?'}${r.core.dirty.length ? ` + uncommitted changes in ${r.core.dirty.join(', ')}` : ''}`,
  );
  const [l1] = r.machine.loadBefore;
  if (l1 > 0.5 * r.machine.cores) {
    lines.push(`WARNING: the machine was busy (load average ${l1.toFixed(1)} on ${r.machine.cores} cores before the run): every time here is inflated and ratios are noisy.`);
  }
  if (np?.version) {
    const b = np.blas ?? {};
    lines.push(`NumPy ${np.version} (${np.python}, Python ${np.pythonVersion}); BLAS ${b.library ?? '?'} ${b.version ?? ''}`.trimEnd());
    lines.push(`  kernel: ${b.kernel ?? '?'} (from ${b.source}); threads: ${np.threadsMulti} (multi) / ${np.threadsSingle} (OPENBLAS_NUM_THREADS=1)`);
    const un = Object.entries(np.envUnset);
    lines.push(`  unset for the NumPy runs only: ${un.length ? un.map(([k, v]) => `${k}=${v}`).join(' ') : 'OPENBLAS_CORETYPE, OPENBLAS_L2_SIZE (neither was set)'}`);
  } else if (np?.skipped) {
    lines.push('NumPy run skipped (--no-numpy): our timings alone.');
  } else {
    lines.push(`NumPy was not found (tried ${np?.tried?.join(', ') || 'nothing'}; set RNN_INSPECTOR_PYTHON to a python with numpy): our timings alone.`);
  }
  lines.push('');
  const withNumpy = Boolean(np?.version);
  const withKeras = Boolean(r.keras?.found);
  if (withKeras) lines.push(`Keras ${r.keras.keras} / TensorFlow ${r.keras.tensorflow}: model.predict(X, batch_size=min(N, 1024)), float32, default threads`);
  else if (r.keras && !r.keras.found) lines.push(`Keras column left out: ${String(r.keras.reason ?? '').split('\n').pop()}`);
  lines.push('');
  const cols = [
    ['workload', (w) => w.id],
    ['N', (w) => String(w.n)],
    ['T', (w) => String(w.t)],
    ['params', (w) => String(w.params)],
    ['open cold', (w) => fmtMs(w.openColdMs)],
    ['open warm', (w) => fmtMs(w.openWarmMs)],
    ['f64 ×1', (w) => fmtMs(w.forwardMs)],
    ['f64', (w) => fmtMs(w.oursF64Ms)],
    ['f32', (w) => fmtMs(w.oursF32Ms)],
    ['thr', (w) => String(w.threads ?? 1)],
  ];
  if (withNumpy) {
    cols.push(
      [`NumPy ×${np.threadsMulti}`, (w) => fmtMs(w.numpyMs)],
      ['NumPy ×1', (w) => fmtMs(w.numpy1Ms)],
      ['f64/NumPy best', (w) => fmtRatio(w.ratioBestF64)],
      ['f64/NumPy ×1', (w) => fmtRatio(w.ratio1F64)],
      ['f32/NumPy best', (w) => fmtRatio(w.ratioBestF32)],
    );
  }
  if (withKeras) cols.push(['Keras', (w) => fmtMs(w.kerasMs)], ['f64/Keras', (w) => fmtRatio(w.ratioKeras)], ['f32/Keras', (w) => fmtRatio(w.ratioKerasF32)]);
  if (withNumpy) cols.push(['max |Δ| f64', (w) => fmtDiff(w.maxAbsDiff)], ['max |Δ| f32', (w) => fmtDiff(w.maxAbsDiffF32)]);
  const head = cols.map((c) => c[0]);
  const rows = r.workloads.map((w) => cols.map((c) => c[1](w)));
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  lines.push(fmt(head));
  lines.push(widths.map((n) => '-'.repeat(n)).join('  '));
  for (const row of rows) lines.push(fmt(row));
  lines.push('');
  lines.push('times in ms (medians); open cold = first openModel in a fresh Node process; f64 ×1 = forward() on one thread;');
  lines.push('f64 / f32 = as the CLI runs it (WebAssembly SIMD kernels, samples split over `thr` threads when the work pays);');
  lines.push('NumPy best = the faster of its default BLAS threads and one thread; ratios = ours / theirs (above 1: we are slower)');
  for (const w of r.workloads) {
    const rng = w.inputsVsNumpyRng;
    const note = rng && rng.differ ? ` [randomInputs: ${rng.differ}/${rng.values} values ≤ ${rng.max_abs_diff.toExponential(1)} off np.random's, see docs]` : '';
    lines.push(`  ${w.id}: ${w.what} — ${w.file}${note}`);
  }
  if (r.skipped?.length) lines.push(`skipped: ${r.skipped.join('; ')}`);
  lines.push(...printBigFiles(r.bigFiles));
  lines.push(...printVerifyScale(r.verifyScale));
  lines.push(...printBackward(r.backward));
  console.log(lines.join('\n'));
}

main().catch((e) => {
  console.error(`[bench] ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
