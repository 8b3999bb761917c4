/**
 * Runs the by-hand forward pass without freezing the extension host: the batch is cut into
 * slices, each slice runs synchronously in the core, and the host yields (setImmediate) between
 * slices so that the editor, the progress notification and its Cancel button stay live.
 * No vscode import.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { forward, layerSteps, recheckHardSigmoid, verify, withinTolerance, type HardSigmoid, type HardSigmoidChoice, type Model, type NDArray } from '../core';
import {
  ROW_LIMIT,
  type RowOrder,
  type RowsPage,
  type RunRequest,
  type SampleRow,
  type StepsView,
  type TraceView,
} from '../shared/messages';
import { MessageChannelEnd, type Envelope } from '../shared/rpc';
import { concatBatch, resolveExpected, resolveInputs, sliceBatch } from './sources';
import { traceMatrix } from './view';
import type { FromWorker, FullRun, ToWorker } from './workerProtocol';

export type { FullRun } from './workerProtocol';

export class CancelledError extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'CancelledError';
  }
}

export interface RunHooks {
  isCancelled(): boolean;
  /** Fraction done (0..1) after each slice. */
  progress?(done: number, total: number): void;
}

const yieldToHost = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Work per slice: aim at a few milliseconds of compute per slice. */
function sliceSize(model: Model, perSample: number): number {
  const params = model.layers.reduce((s, l) => s + l.weights.reduce((a, w) => a + w.shape.reduce((x, y) => x * y, 1), 0), 0);
  const costPerSample = Math.max(1, params * Math.max(1, perSample / 8));
  return Math.max(1, Math.min(4096, Math.floor(2e6 / costPerSample)));
}

export interface ForwardRun {
  outputs: NDArray[];
  precision: 'f64' | 'f32';
  kernels: 'wasm-simd' | 'typescript';
  hardSigmoid?: HardSigmoidChoice;
}

export async function runForward(
  model: Model,
  inputs: NDArray[],
  hooks: RunHooks,
  precision: 'f64' | 'f32' = 'f64',
  hardSigmoid: HardSigmoid | 'auto' = 'auto',
): Promise<ForwardRun> {
  const N = inputs[0].shape[0];
  const per = inputs[0].data.length / Math.max(1, N);
  const step = sliceSize(model, per);
  const parts: NDArray[][] = [];
  let used: Omit<ForwardRun, 'outputs'> = { precision: 'f64', kernels: 'typescript' };
  for (let start = 0; start < N; start += step) {
    if (hooks.isCancelled()) throw new CancelledError();
    const end = Math.min(N, start + step);
    const slice = inputs.map((a) => sliceBatch(a, start, end));
    const res = forward(model, slice, { trace: false, isCancelled: hooks.isCancelled, precision, hardSigmoid });
    used = { precision: res.precision, kernels: res.kernels, ...(res.hardSigmoid ? { hardSigmoid: res.hardSigmoid } : {}) };
    parts.push(res.outputs.map((o) => o.array));
    hooks.progress?.(end, N);
    await yieldToHost();
  }
  if (hooks.isCancelled()) throw new CancelledError();
  return { outputs: parts[0].map((_, k) => concatBatch(parts.map((p) => p[k]))), ...used };
}

/** The step-through of one recurrent layer (both halves of a Bidirectional) for one sample. */
export function runSteps(model: Model, inputs: NDArray[], layer: string, sample: number): StepsView[] {
  return layerSteps(model, inputs.map((a) => sliceBatch(a, sample, sample + 1)), layer);
}

/** Hidden states h_t of every recurrent layer for one sample. */
export function runTraces(model: Model, inputs: NDArray[], sample: number, precision: 'f64' | 'f32' = 'f64', hardSigmoid: HardSigmoid | 'auto' = 'auto'): TraceView[] {
  const one = inputs.map((a) => sliceBatch(a, sample, sample + 1));
  const res = forward(model, one, { trace: true, isCancelled: () => false, precision, hardSigmoid });
  return res.traces.map((t) => ({
    layer: t.layer,
    className: t.className,
    direction: t.direction,
    sample,
    matrix: traceMatrix(t.states, 0),
  }));
}

/**
 * Per-sample max |Δ| and verdict over every output, in typed arrays (a million samples cost
 * 9 MB here, not a million row objects); NaN counts as the largest difference.
 */
export function sampleStats(actual: NDArray[], expected: NDArray[], atol: number, rtol: number): { diffs: Float64Array; fails: Uint8Array } {
  const N = actual[0].shape[0];
  const diffs = new Float64Array(N);
  const fails = new Uint8Array(N);
  actual.forEach((a, k) => {
    const e = expected[k].data;
    const per = a.data.length / Math.max(1, N);
    for (let n = 0; n < N; n++) {
      let max = diffs[n];
      let fail = fails[n];
      for (let i = n * per; i < (n + 1) * per; i++) {
        const d = Math.abs(a.data[i] - e[i]);
        if (!(d <= max)) max = d;
        if (!fail && !withinTolerance(a.data[i], e[i], atol, rtol)) fail = 1;
      }
      diffs[n] = max;
      fails[n] = fail;
    }
  });
  return { diffs, fails };
}

/** Sample indices worst first: failing samples before passing ones, then by max |Δ| descending (NaN first), then by index. */
export function worstFirst(diffs: Float64Array, fails: Uint8Array): Uint32Array {
  const order = Uint32Array.from({ length: diffs.length }, (_, i) => i);
  const key = (i: number): number => (Number.isNaN(diffs[i]) ? Infinity : diffs[i]);
  return order.sort((a, b) => fails[b] - fails[a] || key(b) - key(a) || a - b);
}

/** The rows of the samples in `order` from `offset` (at most ROW_LIMIT): what one page of the panel's table shows. */
export function rowsPage(run: FullRun, order: RowOrder, offset: number): RowsPage {
  const N = run.outputs[0].shape[0];
  const worst = order === 'worst' && run.order ? run.order : undefined;
  const from = Math.max(0, Math.min(Math.floor(offset) || 0, Math.max(0, N - 1)));
  const rows: SampleRow[] = [];
  for (let j = from; j < Math.min(N, from + ROW_LIMIT); j++) {
    const n = worst ? worst[j] : j;
    const manual: number[] = [];
    const exp: number[] = [];
    run.outputs.forEach((a, k) => {
      const per = a.data.length / N;
      for (let i = n * per; i < (n + 1) * per; i++) {
        manual.push(a.data[i]);
        if (run.expected) exp.push(run.expected[k].data[i]);
      }
    });
    rows.push(run.expected && run.diffs && run.fails ? { sample: n, manual, expected: exp, maxAbsDiff: run.diffs[n], pass: !run.fails[n] } : { sample: n, manual });
  }
  return { order: worst ? 'worst' : 'index', offset: from, total: N, rows };
}

export interface RunContext {
  model: Model;
  atol: number;
  rtol: number;
}

export async function runRequest(ctx: RunContext, request: RunRequest, hooks: RunHooks): Promise<FullRun> {
  const t0 = Date.now();
  const { model, atol, rtol } = ctx;
  const inputs = await resolveInputs(model, request);
  const expected = await resolveExpected(model, request);
  const hs = request.hardSigmoid ?? 'auto';
  const run = await runForward(model, inputs.arrays, hooks, request.precision ?? 'f64', hs);
  const outputs = run.outputs;
  const names = model.outputs.map((o) => o.layer);
  const named = outputs.map((array, k) => ({ name: names[k] ?? `output ${k}`, array }));
  const report = expected ? verify(named, expected.arrays, { atol, rtol }) : undefined;
  const otherHardSigmoid =
    report && expected && run.hardSigmoid
      ? recheckHardSigmoid(model, inputs.arrays, expected.arrays, { outputs: named, traces: [], precision: run.precision, kernels: run.kernels, hardSigmoid: run.hardSigmoid }, report, { atol, rtol }, { precision: request.precision ?? 'f64' })
      : null;
  const N = outputs[0].shape[0];
  const worstSample = report?.outputs.reduce<{ s?: number; d: number }>(
    (acc, o) => (o.worst && !(o.maxAbsDiff <= acc.d) ? { s: o.worst.sample, d: o.maxAbsDiff } : acc),
    { d: -1 },
  ).s;
  // After a ✗ the traces and the step-through follow the worst sample.
  const sample = report && !report.pass && worstSample !== undefined ? worstSample : Math.min(Math.max(0, request.traceSample | 0), N - 1);
  const stats = expected ? sampleStats(outputs, expected.arrays, atol, rtol) : undefined;
  // Up to one page, samples in their order (the worst marked); beyond, worst first when verified.
  const paged = N > ROW_LIMIT;
  const order = stats && paged ? worstFirst(stats.diffs, stats.fails) : undefined;
  const kept: Omit<FullRun, 'result'> = { inputs: inputs.arrays, outputs, expected: expected?.arrays, ...stats, order };
  const first = rowsPage({ ...kept, result: undefined as never }, order ? 'worst' : 'index', 0);
  const traces = runTraces(model, inputs.arrays, sample, request.precision ?? 'f64', hs);
  return {
    ...kept,
    result: {
      request: { ...request, traceSample: sample },
      inputsLabel: inputs.label,
      expectedLabel: expected?.label,
      inputShape: inputs.arrays[0].shape,
      outputShapes: named.map((o) => ({ name: o.name, shape: o.array.shape })),
      samples: N,
      rows: first.rows,
      rowsTruncated: paged,
      rowOrder: first.order,
      ...(stats ? { failingSamples: stats.fails.reduce((a, f) => a + f, 0) } : {}),
      verify: report,
      traces,
      elapsedMs: Date.now() - t0,
      precision: run.precision,
      kernels: run.kernels,
      ...(run.hardSigmoid ? { hardSigmoid: { semantics: run.hardSigmoid.semantics, source: run.hardSigmoid.source, why: run.hardSigmoid.why, ...(otherHardSigmoid ? { otherMatches: otherHardSigmoid } : {}) } } : {}),
    },
  };
}

/**
 * Moves a model's weight values into SharedArrayBuffers (each distinct array once: a wrapper's
 * weights share their inner layers' arrays), so that posting the model to a run worker shares
 * them instead of copying them: a run of a 257 MB model no longer adds another 257 MB while it
 * lasts. Done once, when the values are read; returns the bytes moved.
 */
export function shareWeightValues(model: Model): number {
  const moved = new Map<Float32Array | Float64Array, Float32Array | Float64Array>();
  let bytes = 0;
  const visit = (layers: Model['layers']): void => {
    for (const l of layers) {
      for (const w of l.weights) {
        const d = w.data;
        if (!d || typeof SharedArrayBuffer !== 'function' || d.buffer instanceof SharedArrayBuffer) continue;
        let shared = moved.get(d);
        if (!shared) {
          shared = d instanceof Float32Array ? new Float32Array(new SharedArrayBuffer(d.byteLength)) : new Float64Array(new SharedArrayBuffer(d.byteLength));
          shared.set(d);
          moved.set(d, shared);
          bytes += d.byteLength;
        }
        w.data = shared;
      }
      visit(l.inner ?? []);
    }
  };
  visit(model.layers);
  return bytes;
}

/**
 * Runs a request in a worker thread (dist/runWorker.js beside dist/extension.js): the host stays
 * free, and cancelling terminates the worker at once. Falls back to the sliced in-process run when
 * the worker script is not there (e.g. running from unbundled sources).
 */
export function runInWorker(ctx: RunContext, request: RunRequest, hooks: RunHooks & { onCancel(cb: () => void): void }): Promise<FullRun> {
  if (hooks.isCancelled()) return Promise.reject(new CancelledError());
  const script = path.join(__dirname, 'runWorker.js');
  let worker: Worker;
  try {
    if (!existsSync(script)) throw new Error('no worker script');
    worker = new Worker(script);
  } catch {
    return runRequest(ctx, request, hooks);
  }
  const channel = new MessageChannelEnd<ToWorker, FromWorker>((m, transfer) => worker.postMessage(m, transfer ?? []));
  return new Promise<FullRun>((resolve, reject) => {
    let settled = false;
    const finish = (f: () => void): void => {
      if (settled) return;
      settled = true;
      void worker.terminate();
      f();
    };
    hooks.onCancel(() => finish(() => reject(new CancelledError())));
    worker.on('message', (m: FromWorker & Envelope) => channel.receive(m));
    channel.onMessage((m) => {
      if (m.type === 'progress') hooks.progress?.(m.done, m.total);
    });
    worker.on('error', (e) => finish(() => reject(e)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the forward-pass worker stopped (exit code ${code})`))));
    channel.request<Extract<FromWorker, { type: 'done' | 'error' }>>({ type: 'run', model: ctx.model, request, atol: ctx.atol, rtol: ctx.rtol }).then(
      (reply) => finish(() => (reply.type === 'done' ? resolve(reply.run) : reject(new Error(reply.message)))),
      (e: unknown) => finish(() => reject(e)),
    );
  });
}
