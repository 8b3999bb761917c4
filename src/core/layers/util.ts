/** Helpers shared by the layer specs: weight binding, shape formatting, config reading. */
import { InspectorError, type Layer, type NDArray, type Shape, type Weight } from '../model';
import { toF64 } from '../math/kernels';
import { fmtShape } from '../pyrepr';
import type { ExpectedWeight, ShapeCtx } from './types';

export { fmtShape } from '../pyrepr';

/** Keras's variable name from a stored weight's role or name: "simple_rnn/simple_rnn_cell/kernel:0" → "kernel". */
export function normRole(role: string): string {
  const last = role.split('/').pop() ?? role;
  return last.replace(/:\d+$/, '');
}

/**
 * Pairs stored weights with the expected ones: by role first; when roles don't line up but the
 * counts agree, by position (get_weights() order). Missing entries are undefined.
 */
export function matchWeights(stored: Weight[], expected: ExpectedWeight[]): (Weight | undefined)[] {
  const used = new Set<number>();
  const out = expected.map((e) => {
    const i = stored.findIndex((w, k) => !used.has(k) && normRole(w.role) === e.role);
    if (i < 0) return undefined;
    used.add(i);
    return stored[i];
  });
  if (out.some((w) => !w) && stored.length === expected.length) return stored.slice();
  return out;
}

const f64Cache = new WeakMap<object, Float64Array>();

/** A weight's values as float64, converted once per weight array. */
export function weightData(w: Weight): Float64Array | undefined {
  if (!w.data) return undefined;
  let d = f64Cache.get(w.data);
  if (!d) {
    d = toF64(w.data);
    f64Cache.set(w.data, d);
  }
  return d;
}

/**
 * The float64 data of a layer's weights, in the order of `expected`; throws a clear error when
 * a weight is missing, not loaded or of the wrong shape.
 */
export function bindWeights(layer: Layer, expected: ExpectedWeight[], stored: Weight[] = layer.weights): Float64Array[] {
  const matched = matchWeights(stored, expected);
  return expected.map((e, i) => {
    const w = matched[i];
    if (!stored.length) throw new InspectorError('', `layer ${layer.name} (${layer.className}) has no weights loaded`);
    if (!w) throw new InspectorError('', `layer ${layer.name} (${layer.className}): weight '${e.role}' is missing`);
    const ok = w.shape.length === e.shape.length && e.shape.every((d, k) => d == null || d === w.shape[k]);
    if (!ok) {
      throw new InspectorError(
        '',
        `layer ${layer.name} (${layer.className}): weight '${e.role}' has shape ${fmtShape(w.shape)}, expected ${fmtShape(e.shape)}`,
      );
    }
    const d = weightData(w);
    if (!d) throw new InspectorError('', `layer ${layer.name} (${layer.className}) has no weights loaded`);
    return d;
  });
}

export const cfg = (layer: Layer): Record<string, any> => layer.config ?? {};

export function lastDim(s: Shape | undefined): number | null {
  return s && s.length ? s[s.length - 1] : null;
}

/** The single input of a one-input layer. */
export function one<T>(layer: Layer, inputs: T[]): T {
  if (inputs.length !== 1) {
    throw new InspectorError('', `layer ${layer.name} (${layer.className}) expects one input, got ${inputs.length}`);
  }
  return inputs[0];
}

export function nd(shape: number[], data?: Float64Array): NDArray {
  let n = 1;
  for (const d of shape) n *= d;
  return { shape, data: data ?? new Float64Array(n) };
}

/** Product of the known dims, or null when one is unknown. */
export function prod(s: readonly (number | null)[]): number | null {
  let p = 1;
  for (const d of s) {
    if (d == null) return null;
    p *= d;
  }
  return p;
}

export function note(ctx: ShapeCtx, text: string): void {
  if (!ctx.notes.includes(text)) ctx.notes.push(text);
}

/** Normalizes a (possibly negative, batch-counted) axis for a tensor of rank `rank`. */
export function normAxis(axis: number, rank: number): number {
  return axis < 0 ? rank + axis : axis;
}

/** Wrapped layers of Bidirectional / TimeDistributed: the reader's `inner`, or rebuilt from the config. */
export function wrapped(layer: Layer, which: 'layer' | 'backward_layer'): Layer | undefined {
  const c = cfg(layer)[which];
  if (!c || typeof c !== 'object') return undefined;
  const conf = (c.config ?? {}) as Record<string, any>;
  return { name: String(conf.name ?? `${layer.name}_${which}`), className: String(c.class_name), config: conf, weights: [], inbound: [] };
}
