/** Merge layers: Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum. Masks are ANDed. */
import { InspectorError, type Shape } from '../model';
import type { LayerSpec, Tensor } from './types';
import { cfg, nd, normAxis } from './util';
import { concatenateBackward, elementwiseMergeBackward } from './mergeBackward';

function andMasks(inputs: Tensor[]): Uint8Array | null {
  const ms = inputs.map((t) => t.mask).filter((m): m is Uint8Array => m !== null);
  if (!ms.length) return null;
  const out = Uint8Array.from(ms[0]);
  for (const m of ms.slice(1)) for (let i = 0; i < out.length; i++) out[i] &= m[i];
  return out;
}

function broadcastShape(shapes: Shape[]): Shape {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: Shape = [];
  for (let d = 0; d < rank; d++) {
    let v: number | null = 1;
    let unknown = false;
    for (const s of shapes) {
      const k = s.length - rank + d;
      const dim = k >= 0 ? s[k] : 1;
      if (dim == null) unknown = true;
      else if (dim !== 1) v = dim;
    }
    out.push(unknown && v === 1 ? null : v);
  }
  return out;
}

type Op = (a: number, b: number) => number;
const OPS: Record<string, Op> = {
  Add: (a, b) => a + b,
  Subtract: (a, b) => a - b,
  Multiply: (a, b) => a * b,
  Average: (a, b) => a + b,
  Maximum: (a, b) => Math.max(a, b),
  Minimum: (a, b) => Math.min(a, b),
};

export const elementwiseMergeSpec: LayerSpec = {
  outputShapes(layer, inputs) {
    if (layer.className === 'Subtract' && inputs.length !== 2) {
      throw new InspectorError('', `layer ${layer.name} (Subtract) needs exactly two inputs`);
    }
    return [broadcastShape(inputs)];
  },
  describe(layer) {
    const sym: Record<string, string> = { Add: 'a + b + …', Subtract: 'a − b', Multiply: 'a ⊙ b ⊙ …', Average: '(a + b + …) / n', Maximum: 'max(a, b, …)', Minimum: 'min(a, b, …)' };
    return { equations: [`y = ${sym[layer.className]}`] };
  },
  forward(layer, inputs) {
    const op = OPS[layer.className];
    const first = inputs[0].array;
    for (const t of inputs) {
      if (t.array.data.length !== first.data.length) {
        throw new InspectorError('', `not supported: broadcasting in ${layer.className} (layer ${layer.name})`);
      }
    }
    const out = Float64Array.from(first.data);
    for (const t of inputs.slice(1)) {
      const d = t.array.data;
      for (let i = 0; i < out.length; i++) out[i] = op(out[i], d[i]);
    }
    if (layer.className === 'Average') for (let i = 0; i < out.length; i++) out[i] /= inputs.length;
    return [{ array: nd(first.shape.slice(), out), mask: andMasks(inputs) }];
  },
  backward: elementwiseMergeBackward,
};

export const concatenateSpec: LayerSpec = {
  outputShapes(layer, inputs) {
    const rank = inputs[0].length;
    const ax = normAxis(Number(cfg(layer).axis ?? -1), rank);
    const out = inputs[0].slice();
    out[ax] = inputs.reduce<number | null>((s, sh) => (s == null || sh[ax] == null ? null : s + (sh[ax] as number)), 0);
    return [out];
  },
  forward(layer, inputs) {
    const shapes = inputs.map((t) => t.array.shape);
    const rank = shapes[0].length;
    const ax = normAxis(Number(cfg(layer).axis ?? -1), rank);
    const outer = shapes[0].slice(0, ax).reduce((a, b) => a * b, 1);
    const inner = (s: number[]) => s.slice(ax).reduce((a, b) => a * b, 1);
    const widths = shapes.map(inner);
    const total = widths.reduce((a, b) => a + b, 0);
    const out = new Float64Array(outer * total);
    for (let o = 0; o < outer; o++) {
      let pos = o * total;
      inputs.forEach((t, k) => {
        out.set(t.array.data.subarray(o * widths[k], (o + 1) * widths[k]), pos);
        pos += widths[k];
      });
    }
    const shape = shapes[0].slice();
    shape[ax] = shapes.reduce((s, sh) => s + sh[ax], 0);
    // Keras: concatenating along the last axis keeps the step mask (ANDed); other axes drop it.
    return [{ array: nd(shape, out), mask: ax === rank - 1 ? andMasks(inputs) : null }];
  },
  backward: concatenateBackward,
};
