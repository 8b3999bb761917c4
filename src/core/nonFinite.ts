/**
 * NaN / Inf: where they come from, in the user's words. A NaN in a weight or an input spreads
 * through every later step, so verify would call the result a "mismatch"; instead this says where
 * the first non-finite value appears in the forward pass — "layer "lstm", time step 3: h_t is NaN
 * (the weights hold 2 NaN values in recurrent_kernel)" — and what in the file or the inputs holds
 * NaN / ±Inf. Pure: no vscode import.
 */
import type { Model, NDArray } from './model';
import { forward, type ForwardOptions } from './forward';

export interface NonFiniteCount {
  nan: number;
  inf: number;
  /** Flat index of the first non-finite value. */
  first: number;
}

/** NaN and ±Inf in a buffer, or null when every value is finite. */
export function countNonFinite(data: ArrayLike<number>): NonFiniteCount | null {
  let nan = 0;
  let inf = 0;
  let first = -1;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v - v === 0) continue; // finite (NaN - NaN and Inf - Inf are NaN)
    if (first < 0) first = i;
    if (v !== v) nan++;
    else inf++;
  }
  return first < 0 ? null : { nan, inf, first };
}

const plural = (n: number, what: string): string => `${n} ${what}${n === 1 ? '' : 's'}`;

/** "2 NaN values", "1 ±Inf value", "2 NaN and 1 ±Inf values". */
export function countText(c: NonFiniteCount): string {
  if (c.nan && c.inf) return `${c.nan} NaN and ${c.inf} ±Inf values`;
  return c.nan ? plural(c.nan, 'NaN value') : plural(c.inf, '±Inf value');
}

/** What a single value is called: "NaN", "Inf", "-Inf". */
const valueName = (v: number): string => (v !== v ? 'NaN' : v > 0 ? 'Inf' : '-Inf');

function unravel(flat: number, shape: number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    const n = shape[d] || 1;
    idx[d] = flat % n;
    flat = Math.floor(flat / n);
  }
  return idx;
}

/** "input 1 holds 3 NaN values (first at sample 0, index [0, 2, 1])", one per array with any. */
export function nonFiniteArrays(arrays: NDArray[], what: string): string[] {
  const out: string[] = [];
  arrays.forEach((a, k) => {
    const c = countNonFinite(a.data);
    if (!c) return;
    const idx = unravel(c.first, a.shape);
    const label = arrays.length > 1 ? `${what} ${k + 1}` : what;
    out.push(`${label} ${/s$/.test(label) ? 'hold' : 'holds'} ${countText(c)} (first at sample ${idx[0] ?? 0}, index [${idx.join(', ')}])`);
  });
  return out;
}

/** Per layer, the weights holding NaN / ±Inf: "recurrent_kernel" → count. */
export function nonFiniteWeights(model: Model): Map<string, { role: string; count: NonFiniteCount }[]> {
  const out = new Map<string, { role: string; count: NonFiniteCount }[]>();
  for (const l of model.layers) {
    for (const w of l.weights) {
      const c = w.data ? countNonFinite(w.data) : null;
      if (!c) continue;
      if (!out.has(l.name)) out.set(l.name, []);
      out.get(l.name)!.push({ role: w.role || w.name, count: c });
    }
  }
  return out;
}

const weightsText = (ws: { role: string; count: NonFiniteCount }[]): string =>
  `the weights hold ${ws.map((w) => `${countText(w.count)} in ${w.role}`).join(', ')}`;

/** One sample (row s of every input), so the diagnosis runs on one sample, not the whole batch. */
function row(a: NDArray, s: number): NDArray {
  const per = a.shape.slice(1).reduce((x, y) => x * y, 1);
  return { shape: [1, ...a.shape.slice(1)], data: a.data.slice(s * per, (s + 1) * per) };
}

/**
 * Where the first NaN / ±Inf appears in the forward pass of `sample` (the first sample whose
 * output is not finite), in one line, or null when that sample's pass is finite throughout.
 */
export function whereNonFinite(model: Model, inputs: NDArray[], sample = 0, opts: Pick<ForwardOptions, 'hardSigmoid' | 'precision'> = {}): string | null {
  const weights = nonFiniteWeights(model);
  const bad = nonFiniteArrays(inputs.map((x) => row(x, sample)), 'its input');
  let culprit: { layer: string; value: number } | null = null;
  const traces: { layer: string; direction?: string; states: NDArray }[] = [];
  forward(
    model,
    inputs.map((x) => row(x, sample)),
    {
      ...opts,
      engine: 'reference',
      trace: true,
      onLayerOutputs: (layer, outputs) => {
        if (culprit) return;
        for (const o of outputs) {
          const c = countNonFinite(o.data);
          if (c) {
            culprit = { layer, value: o.data[c.first] };
            return;
          }
        }
      },
    },
  ).traces.forEach((t) => traces.push(t));
  if (!culprit) return null;
  const { layer, value } = culprit as { layer: string; value: number };
  const why = weights.get(layer)
    ? weightsText(weights.get(layer)!)
    : bad.length
      ? bad.join('; ')
      : weights.size
        ? `${weightsText([...weights.values()].flat())} (layer${weights.size > 1 ? 's' : ''} ${[...weights.keys()].map((n) => `"${n}"`).join(', ')})`
        : 'its inputs and weights are finite: the values grow beyond the range of floating point (an overflow)';
  // A recurrent layer: the first time step whose h_t is not finite.
  for (const t of traces.filter((x) => x.layer === layer)) {
    const [, T, M] = t.states.shape;
    for (let step = 0; step < T; step++) {
      for (let m = 0; m < M; m++) {
        const v = t.states.data[step * M + m];
        if (v - v !== 0) {
          return `layer "${layer}"${t.direction ? ` (${t.direction})` : ''}, time step ${step + 1}: h_t is ${valueName(v)} (${why})`;
        }
      }
    }
  }
  return `layer "${layer}": its output is ${valueName(value)} (${why})`;
}

/**
 * Notes for a run whose inputs, weights, outputs or expected predictions hold NaN / ±Inf, in the
 * user's words, first the cause; empty when everything is finite. `where` is the forward-pass
 * diagnosis (whereNonFinite) of the first sample whose output is not finite.
 */
export function explainNonFinite(
  model: Model,
  inputs: NDArray[],
  outputs: NDArray[],
  expected: NDArray[] | undefined,
  opts: Pick<ForwardOptions, 'hardSigmoid' | 'precision'> = {},
): { notes: string[]; where: string | null; outputsFinite: boolean } {
  const notes: string[] = [];
  for (const line of nonFiniteArrays(inputs, 'the input')) notes.push(`${line[0].toUpperCase()}${line.slice(1)}.`);
  for (const [layer, ws] of nonFiniteWeights(model)) notes.push(`Layer "${layer}": ${weightsText(ws)}.`);
  let where: string | null = null;
  let sample = -1;
  for (const o of outputs) {
    const c = countNonFinite(o.data);
    if (!c) continue;
    const s = unravel(c.first, o.shape)[0] ?? 0;
    if (sample < 0 || s < sample) sample = s;
  }
  if (sample >= 0) {
    try {
      where = whereNonFinite(model, inputs, sample, opts);
    } catch {
      where = null;
    }
    const verdict = expected ? ' NaN and Inf never match, so this is not a difference of arithmetic.' : '';
    notes.push(`The manual forward pass gives NaN / Inf from sample ${sample}${where ? `: ${where}` : ''}.${verdict}`);
  }
  if (expected) {
    for (const line of nonFiniteArrays(expected, 'the expected predictions')) notes.push(`${line[0].toUpperCase()}${line.slice(1)}: NaN never matches (numpy.allclose).`);
  }
  return { notes, where, outputsFinite: sample < 0 };
}
