/**
 * The step-through of one recurrent layer for one sample, the way the notebooks print it: for
 * t = 1…T, x_t, h_{t-1} (and c_{t-1}), each gate's pre-activation and value (i, f, c̃, o for an
 * LSTM; z, r, h̃ for a GRU), c_t and h_t. Plain loops over one sample (not the hot path: the forward
 * pass in recurrent.ts is); the same weights, bias layout and activations as the forward pass.
 */
import { InspectorError, type Layer, type NDArray } from '../model';
import { resolveActivation, type Activation } from '../math/activations';
import { rnnExpectedWeights, rnnParams } from './recurrent';
import { bindWeights } from './util';

export interface RnnStep {
  /** 1-based time step as the notebooks count it (the processing order of go_backwards is kept). */
  t: number;
  x: number[];
  hPrev: number[];
  cPrev?: number[];
  /** Per gate: x_t·Wx_g + h_{t-1}·Wh_g + b_g (for a GRU's h̃: what enters the activation). */
  pre: Record<string, number[]>;
  /** Per gate: its activation's value (i_t, f_t, c̃_t, o_t; z_t, r_t, h̃_t). */
  gates: Record<string, number[]>;
  c?: number[];
  h: number[];
}

export interface RnnSteps {
  layer: string;
  kind: string;
  units: number;
  inputWidth: number;
  /** Gate letters in Keras's column order ([] for SimpleRNN). */
  gates: string[];
  goBackwards: boolean;
  steps: RnnStep[];
}

const GATES: Record<string, string[]> = { SimpleRNN: [], LSTM: ['i', 'f', 'c', 'o'], CuDNNLSTM: ['i', 'f', 'c', 'o'], GRU: ['z', 'r', 'h'], CuDNNGRU: ['z', 'r', 'h'] };

function apply(act: Activation, v: Float64Array): number[] {
  if (act.f) return Array.from(v, act.f);
  const out = Float64Array.from(v);
  act.row!(out, 0, out.length);
  return Array.from(out);
}

/**
 * Steps a SimpleRNN / LSTM / GRU (or a Bidirectional half) over x, the layer's input for one sample
 * ((T, D) or (1, T, D)), from `init` (initial_state) or zeros. `kerasVersion` '2.0' selects Keras 1/2's hard_sigmoid, as in forward().
 */
export function rnnSteps(layer: Layer, x: NDArray, kerasVersion?: string, init?: { h?: ArrayLike<number>; c?: ArrayLike<number> }): RnnSteps {
  const p = rnnParams(layer, layer.weights);
  const gates = GATES[p.kind] ?? [];
  const shape = x.shape.length === 3 ? x.shape.slice(1) : x.shape;
  if (shape.length !== 2) throw new InspectorError('', `layer ${layer.name}: the step-through needs a (T, D) sequence, got ${x.shape.length}-D`);
  const [T, D] = shape;
  const M = p.units;
  const G = Math.max(1, gates.length);
  const GM = G * M;
  const [Wx, Wh, bias] = bindWeights(layer, rnnExpectedWeights(p, [null, T, D]), layer.weights);
  const act = resolveActivation(p.activation, kerasVersion);
  const ract = G > 1 ? resolveActivation(p.recurrentActivation, kerasVersion) : act;
  if (!act || !ract) throw new InspectorError('', `layer ${layer.name}: an activation is not supported`);
  const resetAfter = p.kind === 'CuDNNGRU' || (p.kind === 'GRU' && p.resetAfter);
  const inB = new Float64Array(GM);
  const recB = new Float64Array(GM);
  if (bias) {
    if (p.kind === 'CuDNNLSTM') for (let j = 0; j < GM; j++) inB[j] = bias[j] + bias[GM + j];
    else if (resetAfter) {
      inB.set(bias.subarray(0, GM));
      recB.set(bias.subarray(GM, 2 * GM));
    } else inB.set(bias.subarray(0, GM));
  }
  // a·W for a row vector a (length R) and a R×GM matrix, columns [c0, c1).
  const vm = (a: ArrayLike<number>, W: Float64Array, R: number, c0: number, c1: number, b: Float64Array): Float64Array => {
    const out = new Float64Array(c1 - c0);
    for (let c = c0; c < c1; c++) {
      let s = b[c];
      for (let r = 0; r < R; r++) s += a[r] * W[r * GM + c];
      out[c - c0] = s;
    }
    return out;
  };
  // Zeros, or the call's initial_state (a seq2seq decoder starts from the encoder's h, c).
  let h = init?.h ? Float64Array.from(init.h) : new Float64Array(M);
  let c = init?.c ? Float64Array.from(init.c) : new Float64Array(M);
  const steps: RnnStep[] = [];
  for (let s = 0; s < T; s++) {
    const t = p.goBackwards ? T - 1 - s : s;
    const xt = x.data.subarray(t * D, (t + 1) * D);
    const step: RnnStep = { t: t + 1, x: Array.from(xt), hPrev: Array.from(h), pre: {}, gates: {}, h: [] };
    const xw = vm(xt, Wx, D, 0, GM, inB);
    if (G === 1) {
      const z = vm(h, Wh, M, 0, M, recB).map((v, j) => v + xw[j]);
      step.pre.h = Array.from(z);
      h = Float64Array.from(apply(act, z));
    } else if (G === 4) {
      step.cPrev = Array.from(c);
      const z = vm(h, Wh, M, 0, GM, recB).map((v, j) => v + xw[j]);
      const blk = (k: number): Float64Array => z.subarray(k * M, (k + 1) * M);
      const [i, f, cc, o] = [apply(ract, blk(0)), apply(ract, blk(1)), apply(act, blk(2)), apply(ract, blk(3))];
      gates.forEach((g, k) => (step.pre[g] = Array.from(blk(k))));
      Object.assign(step.gates, { i, f, c: cc, o });
      c = Float64Array.from(c, (cp, j) => f[j] * cp + i[j] * cc[j]);
      const tc = apply(act, c);
      h = Float64Array.from(tc, (v, j) => o[j] * v);
      step.c = Array.from(c);
    } else {
      // GRU: z, r from x and h; h̃ from x and r ⊙ h (reset before) or r ⊙ (h·Wh_h + b) (reset after).
      const hr = vm(h, Wh, M, 0, GM, recB);
      const zPre = Float64Array.from({ length: M }, (_, j) => xw[j] + hr[j]);
      const rPre = Float64Array.from({ length: M }, (_, j) => xw[M + j] + hr[M + j]);
      const z = apply(ract, zPre);
      const r = apply(ract, rPre);
      let hPre: Float64Array;
      if (resetAfter) hPre = Float64Array.from({ length: M }, (_, j) => xw[2 * M + j] + r[j] * hr[2 * M + j]);
      else {
        const rh = Float64Array.from(h, (v, j) => r[j] * v);
        const u = vm(rh, Wh, M, 2 * M, GM, new Float64Array(GM));
        hPre = Float64Array.from({ length: M }, (_, j) => xw[2 * M + j] + u[j]);
      }
      const hh = apply(act, hPre);
      Object.assign(step.pre, { z: Array.from(zPre), r: Array.from(rPre), h: Array.from(hPre) });
      Object.assign(step.gates, { z, r, h: hh });
      h = Float64Array.from(h, (hp, j) => z[j] * hp + (1 - z[j]) * hh[j]);
    }
    step.h = Array.from(h);
    steps.push(step);
  }
  return { layer: layer.name, kind: p.kind, units: M, inputWidth: D, gates, goBackwards: p.goBackwards, steps };
}
