/**
 * `verify` over inputs larger than memory: X.npy and Y.npy (one model input, one output) are read
 * a batch of samples at a time (core openNpyStream), each batch runs through forwardParallel and
 * verify(), and the per-batch reports are merged (counts add up, the worst element is the worst of
 * the batches, its sample index global). Memory stays about one batch; time grows linearly with N.
 */
import { verify, type ForwardOptions, type Model, type NDArray, type OutputCheck, type VerifyReport, openNpyStream } from '../core';
import { InspectorError } from '../core';
import { forwardParallel } from './parallel';

/** Inputs at least this large are streamed rather than loaded whole. */
export const STREAM_MIN_BYTES = 64 * 1024 * 1024;
/** Bytes of input per batch. */
const BATCH_BYTES = 16 * 1024 * 1024;

export interface StreamedVerify {
  report: VerifyReport;
  samples: number;
  precision: 'f64' | 'f32';
  kernels: 'wasm-simd' | 'typescript';
  threads: number;
  batches: number;
}

function merge(into: OutputCheck | undefined, part: OutputCheck, offset: number, rows: number): OutputCheck {
  const worst = part.worst && { ...part.worst, sample: part.worst.sample + offset, index: [part.worst.index[0] + offset, ...part.worst.index.slice(1)] };
  if (!into) return { ...part, shape: [rows, ...part.shape.slice(1)], worst };
  const rank = (d: number) => (Number.isNaN(d) ? Infinity : d);
  const takeWorst = rank(part.maxAbsDiff) > rank(into.maxAbsDiff);
  const maxAbsDiff = Number.isNaN(into.maxAbsDiff) || Number.isNaN(part.maxAbsDiff) ? NaN : Math.max(into.maxAbsDiff, part.maxAbsDiff);
  const mismatches = into.mismatches + part.mismatches;
  const nf = into.nonFinite || part.nonFinite ? { nonFinite: { actual: (into.nonFinite?.actual ?? 0) + (part.nonFinite?.actual ?? 0), expected: (into.nonFinite?.expected ?? 0) + (part.nonFinite?.expected ?? 0) } } : {};
  return { ...into, count: into.count + part.count, mismatches, maxAbsDiff, pass: mismatches === 0, worst: takeWorst ? worst : into.worst, ...nf };
}

export async function verifyStreamed(
  model: Model,
  xFile: string,
  yFile: string,
  opts: { atol: number; rtol: number; precision: 'f64' | 'f32'; hardSigmoid: ForwardOptions['hardSigmoid']; batch?: number },
  progress?: (done: number, total: number) => void,
): Promise<StreamedVerify> {
  const xs = openNpyStream(xFile);
  let ys;
  try {
    ys = openNpyStream(yFile);
  } catch (e) {
    xs.close();
    throw e;
  }
  try {
    if (xs.rows !== ys.rows) throw new InspectorError(yFile, `${ys.rows} expected samples for ${xs.rows} inputs in ${xFile}`);
    const perSample = (xs.shape.slice(1).reduce((a, b) => a * b, 1) || 1) * 8;
    const batch = opts.batch ?? Math.max(64, Math.floor(BATCH_BYTES / perSample));
    let merged: OutputCheck[] = [];
    let used = { precision: opts.precision as 'f64' | 'f32', kernels: 'typescript' as 'wasm-simd' | 'typescript', threads: 1 };
    let batches = 0;
    for (let s = 0; s < xs.rows; s += batch) {
      const e = Math.min(xs.rows, s + batch);
      const x: NDArray = xs.read(s, e);
      const r = await forwardParallel(model, [x], { precision: opts.precision, hardSigmoid: opts.hardSigmoid });
      const part = verify(r.outputs, [ys.read(s, e)], { atol: opts.atol, rtol: opts.rtol });
      merged = part.outputs.map((o, k) => merge(merged[k], o, s, xs.rows));
      used = { precision: r.precision, kernels: r.kernels, threads: Math.max(used.threads, r.threads) };
      batches++;
      progress?.(e, xs.rows);
    }
    return { report: { pass: merged.every((o) => o.pass), atol: opts.atol, rtol: opts.rtol, outputs: merged }, samples: xs.rows, ...used, batches };
  } finally {
    xs.close();
    ys.close();
  }
}

/** The one X.npy and one Y.npy to stream, when verify is given exactly those and X is large. */
export function streamable(model: Model, inputs: string[] | undefined, expected: string[] | undefined, fileSize: (f: string) => number): { x: string; y: string } | undefined {
  if (inputs?.length !== 1 || expected?.length !== 1 || model.inputs.length !== 1 || model.outputs.length !== 1) return undefined;
  const [x, y] = [inputs[0], expected[0]];
  if (!/\.npy$/i.test(x) || !/\.npy$/i.test(y)) return undefined;
  return fileSize(x) >= STREAM_MIN_BYTES ? { x, y } : undefined;
}
