/** Backward steps of the merge layers (merge.ts): Concatenate splits the gradient, the elementwise ones route it. */
import type { Layer, NDArray } from '../model';
import type { BackwardResult, Tensor } from './types';
import { cfg, normAxis } from './util';

export function concatenateBackward(layer: Layer, inputs: Tensor[], _outputs: Tensor[], dOutputs: (NDArray | null)[]): BackwardResult {
  const dy = dOutputs[0];
  if (!dy) return { dInputs: inputs.map(() => null), dWeights: [] };
  const shapes = inputs.map((t) => t.array.shape);
  const ax = normAxis(Number(cfg(layer).axis ?? -1), shapes[0].length);
  const outer = shapes[0].slice(0, ax).reduce((a, b) => a * b, 1);
  const widths = shapes.map((s) => s.slice(ax).reduce((a, b) => a * b, 1));
  const total = widths.reduce((a, b) => a + b, 0);
  const dIn = shapes.map((s, k) => ({ shape: s.slice(), data: new Float64Array(outer * widths[k]) }));
  for (let o = 0; o < outer; o++) {
    let pos = o * total;
    dIn.forEach((d, k) => {
      d.data.set(dy.data.subarray(pos, pos + widths[k]), o * widths[k]);
      pos += widths[k];
    });
  }
  return { dInputs: dIn, dWeights: [] };
}

/** Add, Subtract, Multiply, Average, Maximum, Minimum (inputs of one shape, as the forward step requires). */
export function elementwiseMergeBackward(layer: Layer, inputs: Tensor[], outputs: Tensor[], dOutputs: (NDArray | null)[]): BackwardResult {
  const dy = dOutputs[0];
  if (!dy) return { dInputs: inputs.map(() => null), dWeights: [] };
  const n = dy.data.length;
  const y = outputs[0].array.data;
  const dIn = inputs.map((t) => ({ shape: t.array.shape.slice(), data: new Float64Array(n) }));
  const cls = layer.className;
  inputs.forEach((t, k) => {
    const x = t.array.data;
    const d = dIn[k].data;
    for (let i = 0; i < n; i++) {
      if (cls === 'Add') d[i] = dy.data[i];
      else if (cls === 'Subtract') d[i] = k === 0 ? dy.data[i] : -dy.data[i];
      else if (cls === 'Average') d[i] = dy.data[i] / inputs.length;
      else if (cls === 'Multiply') {
        let p = 1;
        for (let q = 0; q < inputs.length; q++) if (q !== k) p *= inputs[q].array.data[i];
        d[i] = dy.data[i] * p;
      } else {
        // Maximum / Minimum: the first input that gave the result gets the gradient.
        const first = inputs.findIndex((u) => u.array.data[i] === y[i]);
        d[i] = first === k && x[i] === y[i] ? dy.data[i] : 0;
      }
    }
  });
  return { dInputs: dIn, dWeights: [] };
}
