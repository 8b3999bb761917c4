/**
 * The recurrent engine: SimpleRNN, LSTM, GRU (and the generic RNN wrapper around their cells,
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
import { InspectorError, type Layer, type NDArray, type Weight } from '../model';
import { dotCols, gemmT, matmulT, transposed } from '../math/kernels';
import { allocTape, applyAct, put, type RnnTape } from '../math/bptt';
import { activationName, resolveActivation, type Activation } from '../math/activations';
import type { RunCtx, Tensor } from './types';
import { bindWeights, nd } from './util';
import { tryFastRnn } from './recurrentFast';
import { cudnnKernels, GATES, rnnExpectedWeights, type RnnParams } from './rnnParams';

function need(act: Activation | null, spec: unknown, layer: Layer): Activation {
  if (!act) throw new InspectorError('', `not supported: activation '${activationName(spec)}' (layer ${layer.name})`);
  return act;
}

/**
 * The backward pass keeps every step of a recurrent layer: refuses, before allocating, a tape larger
 * than what is left of the budget (gradients(): MAX_TAPE_BYTES), naming the layer and the sizes.
 * Counted as the larger of the two engines' tapes (the reference: G·M pre-activations, h, c, the
 * GRU's recurrent part; the kernels: 5 padded gate blocks, h, c, that part).
 */
function chargeTape(layer: Layer, N: number, T: number, G: number, M: number, budget: { bytes: number }): void {
  const perStep = Math.max(G * M + 3 * M, 5 * Math.ceil(M / 4) * 4 + 3 * M);
  const bytes = N * T * perStep * 8;
  if (bytes > budget.bytes) {
    const gb = (b: number): string => `${(b / 1024 ** 3).toFixed(b >= 10 * 1024 ** 3 ? 0 : 1)} GB`;
    throw new InspectorError(
      '',
      `the backward pass keeps every step of layer ${layer.name}: ${N.toLocaleString('en-US')} samples × ${T.toLocaleString('en-US')} steps × ${perStep} values, ${gb(bytes)}, more than the ${gb(Math.max(0, budget.bytes))} left of its memory budget; use fewer samples or shorter sequences`,
    );
  }
  budget.bytes -= bytes;
}

export interface RnnRun {
  /** (N, T, M) in processing order when return_sequences, else (N, M). */
  output: NDArray;
  /** Final states: [h] or [h, c], each (N, M). */
  states: NDArray[];
  /** (N, T, M) h_t per step in processing order, when traced. */
  trace?: NDArray;
  tape?: RnnTape; // with keepTape: what the backward pass needs (gate pre-activations per step)
}

/** Runs one recurrent layer over a (N, T, D) input. */
/**
 * Checks initial states given to a call (`initial_state=[h]` or `[h, c]`): their count and (N, M)
 * shapes. Returns them, or undefined when none were given (zeros, as Keras).
 */
export function initialStates(layer: Layer, p: RnnParams, states: Tensor[], N: number): NDArray[] | undefined {
  if (!states.length) return undefined;
  const want = GATES[p.kind] === 4 ? 2 : 1;
  if (states.length !== want) {
    throw new InspectorError('', `layer ${layer.name} (${layer.className}) is given ${states.length} initial states, expects ${want === 2 ? '2 (h, c)' : '1 (h)'}`);
  }
  return states.map((s, i) => {
    const sh = s.array.shape;
    if (sh.length !== 2 || sh[0] !== N || sh[1] !== p.units) {
      throw new InspectorError('', `layer ${layer.name} (${layer.className}): initial state ${i + 1} has shape (${sh.join(', ')}), expected (${N}, ${p.units})`);
    }
    return s.array;
  });
}

export function runRnn(
  layer: Layer,
  p: RnnParams,
  x: Tensor,
  weights: Weight[],
  ctx: RunCtx,
  wantTrace: boolean,
  keepTape = false,
  init?: NDArray[],
): RnnRun {
  const shape = x.array.shape;
  if (shape.length !== 3) {
    throw new InspectorError('', `layer ${layer.name} (${layer.className}) expects a 3-D input (N, T, D), got ${shape.length}-D`);
  }
  const [N, T, D] = shape;
  const M = p.units;
  const G = GATES[p.kind];
  const GM = G * M;
  const expected = rnnExpectedWeights(p, [null, T, D]);
  let [Wx, Wh, bias] = bindWeights(layer, expected, weights);
  if (p.kind === 'CuDNNLSTM' || p.kind === 'CuDNNGRU') [Wx, Wh] = cudnnKernels(Wx, Wh, D, M, G);
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
  if (keepTape && ctx.keep?.budget) chargeTape(layer, N, T, G, M, ctx.keep.budget);
  // With a tape kept, the kernels fill it for the batched BPTT (math/fastBptt.ts) only.
  const fastTape: RnnTape | undefined = keepTape ? { pre: new Float64Array(0), rec: null, h: new Float64Array(0), c: null } : undefined;
  const fast = init ? null : tryFastRnn(p, resetAfter, { ...x.array, mask: x.mask }, Wx, Wh, inBias, recBias, ctx, p.returnSequences || wantTrace, fastTape);
  if (fast) {
    const states = [nd([N, M], fast.h)];
    if (fast.c) states.push(nd([N, M], fast.c));
    const out = p.returnSequences ? nd([N, T, M], fast.seq!) : nd([N, M], fast.h);
    const tr = wantTrace ? (p.returnSequences ? new Float64Array(fast.seq!) : fast.seq!) : null;
    return { output: out, states, trace: tr ? nd([N, T, M], tr) : undefined, ...(fastTape ? { tape: fastTape } : {}) };
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
  const tape = keepTape ? allocTape(N, T, G, M) : null;

  // Samples are processed in blocks of B: one blocked product H(B×M)·Wh per step feeds all of them.
  const B = 8;
  const H = new Float64Array(B * M);
  const C = new Float64Array(B * M);
  const Z = new Float64Array(B * GM);
  const tmp = new Float64Array(M);
  const mask = x.mask;
  const zeroOut = p.zeroOutputForMask;
  const f = tape && G !== 4 ? undefined : act.f; // a tape needs the general paths (LSTM's fused one keeps it)
  const rf = tape && G !== 4 ? undefined : ract.f;
  // Columns of Wh multiplied by h_{t-1} for all samples: all, except the h̃ block of reset-before GRU.
  const recCols = G === 3 && !resetAfter ? 2 * M : GM;
  const lastMasked = new Uint8Array(B);
  const rb = recBias ?? new Float64Array(GM);

  for (let n0 = 0; n0 < N; n0 += B) {
    if (ctx.isCancelled && ctx.isCancelled()) throw new InspectorError('', 'cancelled');
    const nb = Math.min(B, N - n0);
    H.fill(0);
    C.fill(0);
    if (init) {
      H.set(init[0].data.subarray(n0 * M, (n0 + nb) * M));
      if (init[1] && G === 4) C.set(init[1].data.subarray(n0 * M, (n0 + nb) * M));
    }
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
              if (tape) put(tape.pre, xo, Z, zo, M);
              applyAct(act, Z, zo, M);
              for (let j = 0; j < M; j++) H[hb + j] = Z[zo + j];
            }
          } else if (G === 4) {
            for (let j = 0; j < GM; j++) Z[zo + j] += xw[xo + j];
            if (tape) put(tape.pre, xo, Z, zo, GM);
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
              applyAct(ract, Z, zo, M);
              applyAct(ract, Z, zo + M, M);
              applyAct(act, Z, zo + 2 * M, M);
              applyAct(ract, Z, zo + 3 * M, M);
              for (let j = 0; j < M; j++) {
                C[hb + j] = Z[zo + M + j] * C[hb + j] + Z[zo + j] * Z[zo + 2 * M + j];
                tmp[j] = C[hb + j];
              }
              applyAct(act, tmp, 0, M);
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
            if (tape) put(tape.pre, xo, Z, zo, 2 * M), put(tape.rec!, (n * T + t) * M, Z, zo + 2 * M, M);
            applyAct(ract, Z, zo, M);
            applyAct(ract, Z, zo + M, M);
            for (let j = 0; j < M; j++) tmp[j] = xw[xo + 2 * M + j] + Z[zo + M + j] * Z[zo + 2 * M + j];
            if (tape) put(tape.pre, xo + 2 * M, tmp, 0, M);
            applyAct(act, tmp, 0, M);
            for (let j = 0; j < M; j++) {
              const z = Z[zo + j];
              H[hb + j] = z * H[hb + j] + (1 - z) * tmp[j];
            }
          } else {
            // Reset before: z, r from h·Wh[:, :2M]; h̃ from (r ⊙ h)·Wh[:, 2M:].
            for (let j = 0; j < 2 * M; j++) Z[zo + j] += xw[xo + j];
            if (tape) put(tape.pre, xo, Z, zo, 2 * M);
            applyAct(ract, Z, zo, M);
            applyAct(ract, Z, zo + M, M);
            for (let j = 0; j < M; j++) Z[zo + 2 * M + j] = Z[zo + M + j] * H[hb + j];
            for (let j = 0; j < M; j++) tmp[j] = xw[xo + 2 * M + j];
            dotCols(Z, zo + 2 * M, M, WhT, 2 * M, M, tmp, 0, true);
            if (tape) put(tape.pre, xo + 2 * M, tmp, 0, M);
            applyAct(act, tmp, 0, M);
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
        if (tape) put(tape.h, (n * T + t) * M, H, hb, M), tape.c && put(tape.c, (n * T + t) * M, C, hb, M);
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
    ...(tape ? { tape } : {}),
  };
}
