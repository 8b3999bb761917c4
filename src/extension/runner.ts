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

function perSampleRows(actual: NDArray[], expected: NDArray[] | undefined, atol: number, rtol: number): SampleRow[] {
  const N = actual[0].shape[0];
  const rows: SampleRow[] = [];
  for (let n = 0; n < N; n++) {
    const manual: number[] = [];
    const exp: number[] = [];
    let maxAbs = 0;
    let pass = true;
    actual.forEach((a, k) => {
      const per = a.data.length / N;
      for (let i = n * per; i < (n + 1) * per; i++) {
        manual.push(a.data[i]);
        if (expected) {
          const e = expected[k].data[i];
          exp.push(e);
          const d = Math.abs(a.data[i] - e);
          if (!(d <= maxAbs)) maxAbs = d;
          if (!withinTolerance(a.data[i], e, atol, rtol)) pass = false;
        }
      }
    });
    rows.push(expected ? { sample: n, manual, expected: exp, maxAbsDiff: maxAbs, pass } : { sample: n, manual });
  }
  return rows;
}

/** Rows the panel shows: the first ROW_LIMIT, plus the worst sample if it lies beyond. */
function limitRows(rows: SampleRow[], worst: number | undefined): { rows: SampleRow[]; truncated: boolean } {
  if (rows.length <= ROW_LIMIT) return { rows, truncated: false };
  const shown = rows.slice(0, ROW_LIMIT);
  if (worst !== undefined && worst >= ROW_LIMIT) shown.push(rows[worst]);
  return { rows: shown, truncated: true };
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
  const { rows, truncated } = limitRows(perSampleRows(outputs, expected?.arrays, atol, rtol), worstSample);
  const traces = runTraces(model, inputs.arrays, sample, request.precision ?? 'f64', hs);
  return {
    inputs: inputs.arrays,
    outputs,
    result: {
      request: { ...request, traceSample: sample },
      inputsLabel: inputs.label,
      expectedLabel: expected?.label,
      inputShape: inputs.arrays[0].shape,
      outputShapes: named.map((o) => ({ name: o.name, shape: o.array.shape })),
      samples: N,
      rows,
      rowsTruncated: truncated,
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
