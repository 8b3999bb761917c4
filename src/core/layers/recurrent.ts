/**
 * The recurrent family: SimpleRNN, LSTM, GRU (and the generic RNN wrapper around their cells,
 * and Keras 2's CuDNNLSTM / CuDNNGRU). One engine runs them all:
 *
 *   1. x·Wx (+ input bias) for every sample and step at once: one (N·T)×D by D×GM matmul;
 *   2. the recurrence, sample by sample: h_{t-1}·Wh into a preallocated buffer, then the gates.
 *
 * Keras conventions honoured: gate packing along the last axis (LSTM i,f,c,o; GRU z,r,h); GRU
 * reset_after (bias (2,3M), r applied after the recurrent matmul) and the reset-before variant
 * (bias (3M,)); h = z·h_prev + (1−z)·h̃; go_backwards returns the sequence in processing order;
 * masks carry the state over masked steps and output the carried state (zeros when
 * zero_output_for_mask, which Bidirectional forces when returning sequences).
 */
import { InspectorError, type Layer, type NDArray, type Shape, type Weight } from '../model';
import { dotCols, gemmT, matmulT, transposed } from '../math/kernels';
import { activationName, resolveActivation, type Activation } from '../math/activations';
import type { Description, ExpectedWeight, LayerSpec, RunCtx, ShapeCtx, Tensor } from './types';
import { rnnDescribe } from './rnnNotation';
import { bindWeights, cfg, lastDim, matchWeights, nd, normRole, one } from './util';
import { tryFastRnn } from './recurrentFast';

export type RnnKind = 'SimpleRNN' | 'LSTM' | 'GRU' | 'CuDNNLSTM' | 'CuDNNGRU';

const GATES: Record<RnnKind, number> = { SimpleRNN: 1, LSTM: 4, GRU: 3, CuDNNLSTM: 4, CuDNNGRU: 3 };
const GATE_NAMES: Record<RnnKind, string[]> = {
  SimpleRNN: [],
  LSTM: ['i', 'f', 'c', 'o'],
  CuDNNLSTM: ['i', 'f', 'c', 'o'],
  GRU: ['z', 'r', 'h'],
  CuDNNGRU: ['z', 'r', 'h'],
};
const CELL_KIND: Record<string, RnnKind> = { SimpleRNNCell: 'SimpleRNN', LSTMCell: 'LSTM', GRUCell: 'GRU' };

export interface RnnParams {
  kind: RnnKind;
  units: number;
  activation: unknown;
  recurrentActivation: unknown;
  useBias: boolean;
  returnSequences: boolean;
  returnState: boolean;
  goBackwards: boolean;
  /** GRU only. */
  resetAfter: boolean;
  zeroOutputForMask: boolean;
}

/** The effective recurrent config of a layer (the generic `RNN` layer reads its cell's config). */
export function rnnParams(layer: Layer, stored?: Weight[]): RnnParams {
  const c = cfg(layer);
  let kind = layer.className as RnnKind;
  let cell: Record<string, any> = c;
  if (layer.className === 'RNN') {
    const cellCfg = c.cell;
    const cls = cellCfg?.class_name as string | undefined;
    if (!cls || !CELL_KIND[cls]) throw new InspectorError('', `not supported: RNN cell ${cls ?? '?'} (layer ${layer.name})`);
    kind = CELL_KIND[cls];
    cell = cellCfg.config ?? {};
  }
  const units = Number(cell.units ?? cell.output_dim);
  const cudnn = kind === 'CuDNNLSTM' || kind === 'CuDNNGRU';
  let resetAfter = kind === 'CuDNNGRU' ? true : kind === 'GRU' ? Boolean(cell.reset_after ?? false) : false;
  if (kind === 'GRU' && stored) {
    // The stored bias decides: (2, 3M) is reset_after, (3M,) is not (Keras 2.0 files have no key).
    const b = stored.find((w) => normRole(w.role) === 'bias');
    if (b) resetAfter = b.shape.length === 2;
  }
  return {
    kind,
    units,
    activation: cudnn ? 'tanh' : cell.activation ?? 'tanh',
    recurrentActivation: cudnn ? 'sigmoid' : cell.recurrent_activation ?? (kind === 'SimpleRNN' ? undefined : 'sigmoid'),
    useBias: cudnn ? true : cell.use_bias ?? true,
    returnSequences: Boolean(c.return_sequences),
    returnState: Boolean(c.return_state),
    goBackwards: Boolean(c.go_backwards),
    resetAfter,
    zeroOutputForMask: Boolean(c.zero_output_for_mask),
  };
}

export function rnnOutputShapes(p: RnnParams, input: Shape): Shape[] {
  const b = input[0] ?? null;
  const out: Shape[] = [p.returnSequences ? [b, input[1] ?? null, p.units] : [b, p.units]];
  if (p.returnState) {
    const nStates = p.kind === 'LSTM' || p.kind === 'CuDNNLSTM' ? 2 : 1;
    for (let i = 0; i < nStates; i++) out.push([b, p.units]);
  }
  return out;
}

export function rnnExpectedWeights(p: RnnParams, input: Shape): ExpectedWeight[] {
  const G = GATES[p.kind];
  const M = p.units;
  const D = lastDim(input);
  const w: ExpectedWeight[] = [
    { role: 'kernel', shape: [D, G * M], trainable: true },
    { role: 'recurrent_kernel', shape: [M, G * M], trainable: true },
  ];
  if (p.useBias) {
    let shape: number[];
    if (p.kind === 'CuDNNLSTM' || p.kind === 'CuDNNGRU') shape = [2 * G * M];
    else if (p.kind === 'GRU' && p.resetAfter) shape = [2, G * M];
    else shape = [G * M];
    w.push({ role: 'bias', shape, trainable: true });
  }
  return w;
}



function need(act: Activation | null, spec: unknown, layer: Layer): Activation {
  if (!act) throw new InspectorError('', `not supported: activation '${activationName(spec)}' (layer ${layer.name})`);
  return act;
}

/** Applies an activation to buf[off .. off+len) in place. */
function actBlock(act: Activation, buf: Float64Array, off: number, len: number): void {
  const f = act.f;
  if (f) {
    for (let j = off, e = off + len; j < e; j++) buf[j] = f(buf[j]);
  } else act.row!(buf, off, len);
}

export interface RnnRun {
  /** (N, T, M) in processing order when return_sequences, else (N, M). */
  output: NDArray;
  /** Final states: [h] or [h, c], each (N, M). */
  states: NDArray[];
  /** (N, T, M) h_t per step in processing order, when traced. */
  trace?: NDArray;
}

/** Runs one recurrent layer over a (N, T, D) input. */
export function runRnn(layer: Layer, p: RnnParams, x: Tensor, weights: Weight[], ctx: RunCtx, wantTrace: boolean): RnnRun {
  const shape = x.array.shape;
  if (shape.length !== 3) {
    throw new InspectorError('', `layer ${layer.name} (${layer.className}) expects a 3-D input (N, T, D), got ${shape.length}-D`);
  }
  const [N, T, D] = shape;
  const M = p.units;
  const G = GATES[p.kind];
  const GM = G * M;
  const expected = rnnExpectedWeights(p, [null, T, D]);
  const [Wx, Wh, bias] = bindWeights(layer, expected, weights);
  const act = need(resolveActivation(p.activation, ctx.kerasVersion), p.activation, layer);
  const ract = G > 1 ? need(resolveActivation(p.recurrentActivation, ctx.kerasVersion), p.recurrentActivation, layer) : act;

  // Input and recurrent biases.
  let inBias: Float64Array | null = null;
  let recBias: Float64Array | null = null;
  if (bias) {
    if (p.kind === 'CuDNNLSTM') {
      inBias = new Float64Array(GM);
      for (let j = 0; j < GM; j++) inBias[j] = bias[j] + bias[GM + j];
    } else if (p.kind === 'GRU' && p.resetAfter) {
      inBias = bias.subarray(0, GM);
      recBias = bias.subarray(GM, 2 * GM);
    } else if (p.kind === 'CuDNNGRU') {
      inBias = bias.subarray(0, GM);
      recBias = bias.subarray(GM, 2 * GM);
    } else inBias = bias;
  }
  const resetAfter = p.kind === 'CuDNNGRU' || (p.kind === 'GRU' && p.resetAfter);

  // The SIMD kernels when they apply (no masked step, vectorised activations); else the reference below.
  const fast = tryFastRnn(p, resetAfter, { ...x.array, mask: x.mask }, Wx, Wh, inBias, recBias, ctx, p.returnSequences || wantTrace);
  if (fast) {
    const states = [nd([N, M], fast.h)];
    if (fast.c) states.push(nd([N, M], fast.c));
    const out = p.returnSequences ? nd([N, T, M], fast.seq!) : nd([N, M], fast.h);
    const tr = wantTrace ? (p.returnSequences ? new Float64Array(fast.seq!) : fast.seq!) : null;
    return { output: out, states, trace: tr ? nd([N, T, M], tr) : undefined };
  }

  // 1. x·Wx + b for all samples and steps at once.
  const xw = new Float64Array(N * T * GM);
  matmulT(x.array.data, N * T, D, transposed(Wx, D, GM), GM, xw, inBias);
  // Wh transposed: each gate column is a contiguous row of length M, for dot products with h.
  const WhT = transposed(Wh, M, GM);

  const seq = p.returnSequences ? new Float64Array(N * T * M) : null;
  const last = p.returnSequences ? null : new Float64Array(N * M);
  const hOut = new Float64Array(N * M);
  const cOut = G === 4 ? new Float64Array(N * M) : null;
  const tr = wantTrace ? new Float64Array(N * T * M) : null;

  // Samples are processed in blocks of B: one blocked product H(B×M)·Wh per step feeds all of them.
  const B = 8;
  const H = new Float64Array(B * M);
  const C = new Float64Array(B * M);
  const Z = new Float64Array(B * GM);
  const tmp = new Float64Array(M);
  const mask = x.mask;
  const zeroOut = p.zeroOutputForMask;
  const f = act.f;
  const rf = ract.f;
  // Columns of Wh multiplied by h_{t-1} for all samples: all, except the h̃ block of reset-before GRU.
  const recCols = G === 3 && !resetAfter ? 2 * M : GM;
  const lastMasked = new Uint8Array(B);
  const rb = recBias ?? new Float64Array(GM);

  for (let n0 = 0; n0 < N; n0 += B) {
    if (ctx.isCancelled && ctx.isCancelled()) throw new InspectorError('', 'cancelled');
    const nb = Math.min(B, N - n0);
    H.fill(0);
    C.fill(0);
    lastMasked.fill(0);
    for (let s = 0; s < T; s++) {
      const t = p.goBackwards ? T - 1 - s : s;
      gemmT(H, 0, M, nb, M, WhT, 0, recCols, Z, 0, GM, false);
      for (let b = 0; b < nb; b++) {
        const n = n0 + b;
        const masked = mask !== null && mask[n * T + t] === 0;
        lastMasked[b] = masked ? 1 : 0;
        const hb = b * M;
        if (!masked) {
          const xo = (n * T + t) * GM;
          const zo = b * GM;
          if (G === 1) {
            if (f) for (let j = 0; j < M; j++) H[hb + j] = f(Z[zo + j] + xw[xo + j]);
            else {
              for (let j = 0; j < M; j++) Z[zo + j] += xw[xo + j];
              act.row!(Z, zo, M);
              for (let j = 0; j < M; j++) H[hb + j] = Z[zo + j];
            }
          } else if (G === 4) {
            for (let j = 0; j < GM; j++) Z[zo + j] += xw[xo + j];
            if (rf && f) {
              for (let j = 0; j < M; j++) {
                const ig = rf(Z[zo + j]);
                const fg = rf(Z[zo + M + j]);
                const cc = f(Z[zo + 2 * M + j]);
                const og = rf(Z[zo + 3 * M + j]);
                const c = fg * C[hb + j] + ig * cc;
                C[hb + j] = c;
                H[hb + j] = og * f(c);
              }
            } else {
              actBlock(ract, Z, zo, M);
              actBlock(ract, Z, zo + M, M);
              actBlock(act, Z, zo + 2 * M, M);
              actBlock(ract, Z, zo + 3 * M, M);
              for (let j = 0; j < M; j++) {
                C[hb + j] = Z[zo + M + j] * C[hb + j] + Z[zo + j] * Z[zo + 2 * M + j];
                tmp[j] = C[hb + j];
              }
              actBlock(act, tmp, 0, M);
              for (let j = 0; j < M; j++) H[hb + j] = Z[zo + 3 * M + j] * tmp[j];
            }
          } else if (resetAfter && rf && f) {
            // One pass with direct calls (same order of operations as the general path below).
            for (let j = 0; j < M; j++) {
              const z = rf(Z[zo + j] + rb[j] + xw[xo + j]);
              const r = rf(Z[zo + M + j] + rb[M + j] + xw[xo + M + j]);
              const hh = f(xw[xo + 2 * M + j] + r * (Z[zo + 2 * M + j] + rb[2 * M + j]));
              H[hb + j] = z * H[hb + j] + (1 - z) * hh;
            }
          } else if (resetAfter) {
            // Z holds h·Wh for the three gates; the recurrent bias joins before r is applied.
            if (recBias) for (let j = 0; j < GM; j++) Z[zo + j] += recBias[j];
            for (let j = 0; j < 2 * M; j++) Z[zo + j] += xw[xo + j];
            actBlock(ract, Z, zo, M);
            actBlock(ract, Z, zo + M, M);
            for (let j = 0; j < M; j++) tmp[j] = xw[xo + 2 * M + j] + Z[zo + M + j] * Z[zo + 2 * M + j];
            actBlock(act, tmp, 0, M);
            for (let j = 0; j < M; j++) {
              const z = Z[zo + j];
              H[hb + j] = z * H[hb + j] + (1 - z) * tmp[j];
            }
          } else {
            // Reset before: z, r from h·Wh[:, :2M]; h̃ from (r ⊙ h)·Wh[:, 2M:].
            for (let j = 0; j < 2 * M; j++) Z[zo + j] += xw[xo + j];
            actBlock(ract, Z, zo, M);
            actBlock(ract, Z, zo + M, M);
            for (let j = 0; j < M; j++) Z[zo + 2 * M + j] = Z[zo + M + j] * H[hb + j];
            for (let j = 0; j < M; j++) tmp[j] = xw[xo + 2 * M + j];
            dotCols(Z, zo + 2 * M, M, WhT, 2 * M, M, tmp, 0, true);
            actBlock(act, tmp, 0, M);
            for (let j = 0; j < M; j++) {
              const z = Z[zo + j];
              H[hb + j] = z * H[hb + j] + (1 - z) * tmp[j];
            }
          }
        }
        const o = (n * T + s) * M;
        if (seq) {
          if (masked && zeroOut) seq.fill(0, o, o + M);
          else for (let j = 0; j < M; j++) seq[o + j] = H[hb + j];
        }
        if (tr) for (let j = 0; j < M; j++) tr[o + j] = H[hb + j];
      }
    }
    for (let b = 0; b < nb; b++) {
      const n = n0 + b;
      const hb = b * M;
      if (last) {
        if (lastMasked[b] && zeroOut) last.fill(0, n * M, (n + 1) * M);
        else for (let j = 0; j < M; j++) last[n * M + j] = H[hb + j];
      }
      for (let j = 0; j < M; j++) hOut[n * M + j] = H[hb + j];
      if (cOut) for (let j = 0; j < M; j++) cOut[n * M + j] = C[hb + j];
    }
  }
  const states = [nd([N, M], hOut)];
  if (cOut) states.push(nd([N, M], cOut));
  return {
    output: seq ? nd([N, T, M], seq) : nd([N, M], last!),
    states,
    trace: tr ? nd([N, T, M], tr) : undefined,
  };
}

/** The RNN layer as a registry entry (SimpleRNN, LSTM, GRU, RNN(cell), CuDNNLSTM, CuDNNGRU). */
export const recurrentSpec: LayerSpec = {
  recurrent: true,
  // A call with initial_state lists the states after the sequence (Keras 2 inbound nodes): the
  // shapes and weights depend on the sequence alone. The forward pass still refuses such a call.
  outputShapes(layer: Layer, inputs: Shape[]): Shape[] {
    return rnnOutputShapes(rnnParams(layer), one(layer, inputs.slice(0, 1)));
  },
  expectedWeights(layer: Layer, inputs: Shape[], _ctx: ShapeCtx, stored?: Weight[]): ExpectedWeight[] {
    return rnnExpectedWeights(rnnParams(layer, stored), one(layer, inputs.slice(0, 1)));
  },
  indexed: true,
  describe(layer, _inputs, shapes, _ctx, where): Description {
    const p = rnnParams(layer, layer.weights);
    return rnnDescribe(p, GATE_NAMES[p.kind], shapes, where, layer.name);
  },
  forward(layer: Layer, inputs: Tensor[], ctx: RunCtx): Tensor[] {
    const x = one(layer, inputs);
    const p = rnnParams(layer, layer.weights);
    const run = runRnn(layer, p, x, layer.weights, ctx, ctx.trace !== null);
    if (run.trace && ctx.trace) ctx.trace(layer.name, layer.className, undefined, run.trace);
    const outMask = p.returnSequences ? x.mask : null;
    return [{ array: run.output, mask: outMask }, ...(p.returnState ? run.states.map((s) => ({ array: s, mask: null })) : [])];
  },
};

export { matchWeights };
