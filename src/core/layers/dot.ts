/**
 * Dot: Keras's batch_dot of two inputs over one axis each (`axes` an int or a pair, negative
 * counted from the end), after an L2 normalisation along those axes when `normalize` (Keras 3:
 * x · min(rsqrt(Σx²), 1/1e-7)). Per sample, the output keeps x1's other axes, then x2's; a result
 * with no axis left is (N, 1).
 */
import { InspectorError, type Layer, type Shape } from '../model';
import type { LayerSpec } from './types';
import { cfg, nd } from './util';

function dotAxes(layer: Layer, r1: number, r2: number): [number, number] {
  const a = cfg(layer).axes ?? -1;
  const pair: number[] = Array.isArray(a) ? a.map(Number) : [Number(a), Number(a)];
  const norm = (x: number, r: number) => (x < 0 ? ((x % r) + r) % r : x);
  return [norm(pair[0], r1), norm(pair[1], r2)];
}

function outShape(s1: readonly (number | null)[], s2: readonly (number | null)[], a1: number, a2: number): (number | null)[] {
  const rest = [...s1.slice(1).filter((_, i) => i + 1 !== a1), ...s2.slice(1).filter((_, i) => i + 1 !== a2)];
  return [s1[0] ?? null, ...(rest.length ? rest : [1])];
}

/** (N, ...) as [N, before, axis, after] sizes around one axis. */
function around(shape: number[], axis: number): [number, number, number, number] {
  const before = shape.slice(1, axis).reduce((a, b) => a * b, 1);
  const after = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  return [shape[0], before, shape[axis], after];
}

function l2normalize(data: Float64Array, shape: number[], axis: number): Float64Array {
  const [N, B, K, A] = around(shape, axis);
  const out = new Float64Array(data.length);
  for (let n = 0; n < N; n++)
    for (let b = 0; b < B; b++)
      for (let a = 0; a < A; a++) {
        const base = (n * B + b) * K * A + a;
        let ss = 0;
        for (let k = 0; k < K; k++) ss += data[base + k * A] ** 2;
        const inv = Math.min(1 / Math.sqrt(ss), 1e7);
        for (let k = 0; k < K; k++) out[base + k * A] = data[base + k * A] * inv;
      }
  return out;
}

export const dotSpec: LayerSpec = {
  outputShapes(layer, inputs) {
    if (inputs.length !== 2) throw new InspectorError('', `layer ${layer.name} (${layer.className}) takes 2 inputs, got ${inputs.length}`);
    const [a1, a2] = dotAxes(layer, inputs[0].length, inputs[1].length);
    return [outShape(inputs[0], inputs[1], a1, a2)];
  },
  describe(layer) {
    return { equations: [`y = Σ_k x1[…, k] · x2[…, k]${cfg(layer).normalize ? '   (x1, x2 L2-normalised along k first: cosine similarity)' : ''}`] };
  },
  forward(layer, inputs) {
    if (inputs.length !== 2) throw new InspectorError('', `layer ${layer.name} (${layer.className}) takes 2 inputs, got ${inputs.length}`);
    const [x1, x2] = inputs.map((t) => t.array);
    const [a1, a2] = dotAxes(layer, x1.shape.length, x2.shape.length);
    if (a1 === 0 || a2 === 0) throw new InspectorError('', `not supported: Dot over the batch axis (layer ${layer.name})`);
    const [N, B1, K, A1] = around(x1.shape, a1);
    const [, B2, K2, A2] = around(x2.shape, a2);
    if (K !== K2) throw new InspectorError('', `layer ${layer.name} (${layer.className}): the contracted axes differ (${K} vs ${K2})`);
    const d1 = cfg(layer).normalize ? l2normalize(x1.data, x1.shape, a1) : x1.data;
    const d2 = cfg(layer).normalize ? l2normalize(x2.data, x2.shape, a2) : x2.data;
    const P = B1 * A1;
    const Q = B2 * A2;
    const out = new Float64Array(N * P * Q);
    for (let n = 0; n < N; n++)
      for (let b1 = 0; b1 < B1; b1++)
        for (let e1 = 0; e1 < A1; e1++)
          for (let b2 = 0; b2 < B2; b2++)
            for (let e2 = 0; e2 < A2; e2++) {
              let s = 0;
              const o1 = (n * B1 + b1) * K * A1 + e1;
              const o2 = (n * B2 + b2) * K * A2 + e2;
              for (let k = 0; k < K; k++) s += d1[o1 + k * A1] * d2[o2 + k * A2];
              out[((n * B1 + b1) * A1 + e1) * Q + b2 * A2 + e2] = s;
            }
    const shape = outShape(x1.shape, x2.shape, a1, a2).map((d, i) => (i === 0 ? N : (d as number)));
    return [{ array: nd(shape, out), mask: null }];
  },
};
