/**
 * The forward pass on every core: when the work is large enough to pay for a thread's start-up
 * (about 40 ms: loading this bundle and compiling the kernels), the samples are split into one
 * contiguous slice per core; worker threads run the other slices while this thread runs the first.
 * Each slice is an ordinary forward() (samples are independent), so the outputs are the same numbers
 * as one forward() over all samples. The worker side is this same file, started with workerData.
 */
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { forward, takesTokens, type ForwardOptions, type HardSigmoidChoice, type Model, type NDArray } from '../core';

export interface ParallelResult {
  outputs: { name: string; array: NDArray }[];
  precision: 'f64' | 'f32';
  kernels: 'wasm-simd' | 'typescript';
  /** Threads that computed (1: this one only). */
  threads: number;
  /** The hard_sigmoid evaluated, when the model uses it (as forward() reports it). */
  hardSigmoid?: HardSigmoidChoice;
}

type Opts = Pick<ForwardOptions, 'precision' | 'hardSigmoid' | 'engine'>;
const TAG = 'rnn-inspector-forward-slice';

/** Multiply-adds per sample, roughly: every weight used once per time step (an Embedding's table is looked up, not multiplied). */
function workPerSample(model: Model, inputs: NDArray[]): number {
  // Wrappers list their inner layers' weights too (model.ts).
  const tokens = model.layers.some(takesTokens);
  const params = model.layers.filter((l) => !takesTokens(l)).reduce((s, l) => s + l.weights.reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1), 0), 0);
  const shape = inputs[0].shape;
  // (N, T, D) inputs, or (N, T) token ids into an Embedding.
  const T = shape.length > 2 || (tokens && shape.length === 2) ? shape[1] : 1;
  return params * Math.max(1, T);
}

/** Below this many multiply-adds in all (≈ 50 ms on one core), one thread is faster when a worker has to start (≈ 40 ms). */
export const PARALLEL_MIN_WORK = 4e8;
/**
 * With a worker already started and holding the model (a streamed verify's batches, repeated calls),
 * a split pays from about this much work (≈ 1–4 ms on one core): what is left is posting the slice
 * and waking the worker. The first call of that size starts one in the background for the next.
 */
export const PARALLEL_MIN_WORK_WARM = 5e6;

/** Samples [start, end) of a batch: a view, or a copy (`copy`) when it is to be posted to a worker (posting a view would clone its whole buffer). */
export function sliceSamples(a: NDArray, start: number, end: number, copy = false): NDArray {
  const per = a.shape.slice(1).reduce((x, y) => x * y, 1);
  const data = copy ? a.data.slice(start * per, end * per) : a.data.subarray(start * per, end * per);
  return { shape: [end - start, ...a.shape.slice(1)], data };
}

function concat(parts: NDArray[]): NDArray {
  const data = new Float64Array(parts.reduce((s, p) => s + p.data.length, 0));
  let off = 0;
  for (const p of parts) {
    data.set(p.data, off);
    off += p.data.length;
  }
  return { shape: [parts.reduce((s, p) => s + p.shape[0], 0), ...parts[0].shape.slice(1)], data };
}

/**
 * Worker threads kept between calls (a streamed verify runs one call per batch): each keeps the
 * last model it was sent, so a model crosses to a worker once. Idle workers are unref'd (they never
 * keep the process alive); a busy one is ref'd until it answers.
 */
interface PoolWorker {
  w: Worker;
  modelId: number;
  busy: boolean;
  /**
   * The worker's inputs go through this shared buffer, kept between calls: posting a copy made the
   * worker allocate and first-touch the whole slice on every call (page faults: ~3 ms per MB on this
   * VM, 170 ms for half of the large SimpleRNN's X), after the host had copied it once already.
   */
  shared: SharedArrayBuffer | null;
}

/** An input of a slice as posted: its values are in the worker's shared buffer at `offset` (elements). */
interface SharedInput {
  shape: number[];
  offset: number;
  length: number;
}

/** Writes the slices into the worker's shared buffer (grown when too small) and describes them. */
function shareInputs(pw: PoolWorker, inputs: NDArray[]): { shared: SharedArrayBuffer | undefined; inputs: SharedInput[] } {
  const total = inputs.reduce((s, a) => s + a.data.length, 0);
  let fresh: SharedArrayBuffer | undefined;
  if (!pw.shared || pw.shared.byteLength < total * 8) {
    fresh = new SharedArrayBuffer(Math.max(8, total * 8));
    pw.shared = fresh;
  }
  const view = new Float64Array(pw.shared);
  let off = 0;
  const described = inputs.map((a) => {
    view.set(a.data, off);
    const d = { shape: a.shape.slice(), offset: off, length: a.data.length };
    off += a.data.length;
    return d;
  });
  return { shared: fresh, inputs: described };
}
const pool: PoolWorker[] = [];
const modelIds = new WeakMap<Model, number>();
let nextModelId = 1;

function idOf(model: Model): number {
  let id = modelIds.get(model);
  if (id === undefined) {
    id = nextModelId++;
    modelIds.set(model, id);
  }
  return id;
}

function newWorker(): PoolWorker {
  const pw: PoolWorker = { w: new Worker(__filename, { workerData: { tag: TAG } }), modelId: 0, busy: false, shared: null };
  pw.w.unref();
  // A worker that fails while idle leaves the pool (a busy one is dropped by its call's handlers).
  pw.w.on('error', () => undefined);
  pw.w.on('exit', () => {
    const i = pool.indexOf(pw);
    if (i >= 0) pool.splice(i, 1);
  });
  pool.push(pw);
  return pw;
}

/** The model as posted: the worker needs the weights, not the file's sample arrays. */
function bareModel(model: Model): Omit<Model, 'samples'> {
  const { samples: _stored, ...bare } = model;
  return bare;
}

/** Weights of every layer (a wrapper's inner layers are listed in its weights too). */
const weightCount = (model: Model): number => model.layers.reduce((s, l) => s + l.weights.reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1), 0), 0);
/** A model larger than this (8 M weights, 64 MB in float64) is not copied to a worker on speculation. */
const PRESTART_MAX_WEIGHTS = 8 * 1024 * 1024;

/**
 * Hands the model to a worker in the background, for the next calls: an idle worker holding
 * another model (a process that opens several, as the bench does, had kept its one worker on the
 * first model and never split the others), else a new one while the pool has room.
 */
function prestart(model: Model, threads: number): void {
  const id = idOf(model);
  if (pool.some((p) => p.modelId === id)) return;
  const pw = pool.find((p) => !p.busy) ?? (pool.length < threads - 1 ? newWorker() : null);
  if (!pw) return;
  pw.modelId = id;
  pw.w.postMessage({ model: bareModel(model) });
}

function runSlice(model: Model, inputs: NDArray[], opts: Opts): Promise<ParallelResult> {
  const worker = pool.find((p) => !p.busy) ?? newWorker();
  const id = idOf(model);
  const msg = { model: worker.modelId === id ? undefined : bareModel(model), ...shareInputs(worker, inputs), opts };
  worker.modelId = id;
  worker.busy = true;
  worker.w.ref();
  return new Promise((resolve, reject) => {
    const done = (): void => {
      worker.w.off('message', onMessage);
      worker.w.off('error', onError);
      worker.w.off('exit', onExit);
      worker.busy = false;
      worker.w.unref();
    };
    const drop = (): void => {
      const i = pool.indexOf(worker);
      if (i >= 0) pool.splice(i, 1);
    };
    const onMessage = (m: { error?: string } & ParallelResult): void => {
      done();
      if (m.error) reject(new Error(m.error));
      else resolve(m);
    };
    const onError = (e: Error): void => {
      done();
      drop();
      reject(e);
    };
    const onExit = (code: number): void => {
      done();
      drop();
      reject(new Error(`a forward-pass worker stopped (exit code ${code})`));
    };
    worker.w.on('message', onMessage);
    worker.w.on('error', onError);
    worker.w.on('exit', onExit);
    worker.w.postMessage(msg);
  });
}

/**
 * Whether a split pays is measured, not only estimated: on a shared machine the other core is often
 * busy and two threads then take longer than one (seen: 126 vs 70 ms, 8.8 vs 5.5 s). Per model, batch
 * shape and precision, the first call splits (the estimate), the second runs on one thread, later
 * calls take the faster of the two (each the best of its LAST latest times), and every RETRY_EVERY-th call runs the other one
 * again, so the choice follows the load. Either way the outputs are the same numbers.
 */
interface Tuning {
  /** The latest LAST times of each (ms): their minimum is the estimate, so one pause (a GC) does not flip the choice. */
  split: number[];
  one: number[];
  calls: number;
  splits: number;
}
const LAST = 3;
const tunings = new WeakMap<Model, Map<string, Tuning>>();
const RETRY_EVERY = 8;
/**
 * A new worker's first slices run on cold code (its WebAssembly starts in V8's baseline tier, its
 * JavaScript unoptimised): seen 16–25 ms for a split that takes 6 ms warm, against 10.5 ms on one
 * thread. So while fewer than YOUNG_SPLITS splits have run and one thread looks faster, the split is
 * tried again every other call, not every RETRY_EVERY-th.
 */
const YOUNG_SPLITS = 4;

export function tuningOf(model: Model, inputs: NDArray[], opts: Opts, k: number): { choose(): number; record(threads: number, ms: number): void } {
  let byShape = tunings.get(model);
  if (!byShape) tunings.set(model, (byShape = new Map()));
  const key = `${opts.precision ?? 'f64'} ${opts.engine ?? 'fast'} ${k} ${inputs.map((a) => a.shape.join('x')).join(',')}`;
  let t = byShape.get(key);
  if (!t) byShape.set(key, (t = { split: [], one: [], calls: 0, splits: 0 }));
  const tu = t;
  return {
    choose(): number {
      if (!tu.split.length) return k;
      if (!tu.one.length) return 1;
      tu.calls++;
      const best = Math.min(...tu.one) <= Math.min(...tu.split) ? 1 : k;
      // Young splits that lost are tried again soon; a split that won is not doubted that often.
      const every = best === 1 && tu.splits < YOUNG_SPLITS ? 2 : RETRY_EVERY;
      return tu.calls % every === 0 ? (best === 1 ? k : 1) : best;
    },
    record(threads: number, ms: number): void {
      const list = threads > 1 ? tu.split : tu.one;
      list.push(ms);
      if (list.length > LAST) list.shift();
      if (threads > 1) tu.splits++;
    },
  };
}

/** forward() over all samples, split across `threads` threads when the work is large (and measured to pay). */
export async function forwardParallel(model: Model, inputs: NDArray[], opts: Opts = {}, threads = availableParallelism(), minWork = PARALLEL_MIN_WORK): Promise<ParallelResult> {
  const N = inputs[0]?.shape[0] ?? 0;
  const work = N * workPerSample(model, inputs);
  const id = modelIds.get(model);
  const warm = id === undefined ? 0 : pool.filter((p) => !p.busy && p.modelId === id).length;
  const cold = Math.ceil(work / minWork);
  const warmK = Math.min(1 + warm, Math.ceil(work / Math.min(minWork, PARALLEL_MIN_WORK_WARM)));
  const want = Math.max(1, Math.min(threads, Math.floor(N / 64), Math.max(cold, warmK)));
  const tune = want > 1 ? tuningOf(model, inputs, opts, want) : null;
  const k = tune ? tune.choose() : want;
  const t0 = performance.now();
  if (k <= 1) {
    if (tune) {
      const r = { ...forward(model, inputs, opts), threads: 1 };
      tune.record(1, performance.now() - t0);
      return r;
    }
    if (threads > 1 && N >= 128 && work >= Math.min(minWork, PARALLEL_MIN_WORK_WARM) && weightCount(model) <= PRESTART_MAX_WEIGHTS) prestart(model, threads);
    return { ...forward(model, inputs, opts), threads: 1 };
  }
  const bounds = Array.from({ length: k + 1 }, (_, i) => Math.round((i * N) / k));
  const slices = bounds.slice(0, k).map((s, i) => inputs.map((a) => sliceSamples(a, s, bounds[i + 1])));
  const others = slices.slice(1).map((sl) => runSlice(model, sl, opts));
  let first: ParallelResult;
  try {
    first = { ...forward(model, slices[0], opts), threads: 1 };
  } catch (e) {
    others.forEach((p) => p.catch(() => undefined));
    throw e;
  }
  const rest = await Promise.all(others);
  tune?.record(k, performance.now() - t0);
  const all = [first, ...rest];
  return {
    outputs: first.outputs.map((o, j) => ({ name: o.name, array: concat(all.map((r) => r.outputs[j].array)) })),
    precision: all.some((r) => r.precision === 'f32') ? 'f32' : 'f64',
    kernels: all.every((r) => r.kernels === 'wasm-simd') ? 'wasm-simd' : first.kernels,
    threads: k,
    ...(first.hardSigmoid ? { hardSigmoid: first.hardSigmoid } : {}),
  };
}

// The worker side: slices until the host goes away, each posted back with its buffers transferred.
if (!isMainThread && parentPort && (workerData as { tag?: string } | null)?.tag === TAG) {
  const port = parentPort;
  let current: Model | undefined;
  let shared: SharedArrayBuffer | undefined;
  port.on('message', (m: { model?: Model; shared?: SharedArrayBuffer; inputs?: SharedInput[]; opts: Opts }) => {
    try {
      if (m.model) current = m.model;
      if (m.shared) shared = m.shared;
      if (!m.inputs) return; // the model alone (prestart): no answer expected
      if (!current) throw new Error('no model sent to the forward-pass worker');
      if (!shared) throw new Error('no input buffer sent to the forward-pass worker');
      const buf = shared;
      const inputs = m.inputs.map((d) => ({ shape: d.shape, data: new Float64Array(buf, d.offset * 8, d.length) }));
      const r = forward(current, inputs, m.opts);
      // An output that is a view of the shared inputs (an identity model) is copied: the host
      // overwrites that buffer on its next call. The others are transferred, each buffer once.
      const outputs = r.outputs.map((o) => ({ name: o.name, array: o.array.data.buffer === buf ? { shape: o.array.shape, data: o.array.data.slice() } : o.array }));
      const transfer = [...new Set(outputs.map((o) => o.array.data.buffer as ArrayBuffer))];
      port.postMessage({ outputs, precision: r.precision, kernels: r.kernels, threads: 1 }, transfer);
    } catch (e) {
      port.postMessage({ error: e instanceof Error ? e.message : String(e) });
    }
  });
}
