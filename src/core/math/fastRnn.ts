/**
 * The recurrent layers on the SIMD kernels: per block of samples and per time step, two blocked
 * products (x_t·Wx + b_in and h_{t-1}·Wh + b_rec, weights packed once per call) and one vectorised
 * gate step, all inside the kernels' memory: nothing is allocated inside the time loop. The time
 * loop of a block runs inside the module (simd/block.ts: one call per block of samples, not 2–4
 * per step), which also writes the block's outputs unpadded so that each is copied out with one set.
 * Layers of up to LANES_MAX_M units (without a tape) run with the samples in the lanes instead
 * (simd/lanes.ts: one pass over [x_t; h_{t-1}] per column, every lane a real unit of a real sample).
 * Same arithmetic as the TypeScript reference (src/core/layers/recurrent.ts) up to summation order
 * in float64; float32 on request (Keras's own arithmetic).
 */
import { InspectorError } from '../model';
import { takeF64 } from './bufferPool';
import { Arena, kernels, packGates, packPanels, panelWidth, roundUp, type Kernels, type Precision } from './wasm';
import type { RnnTape } from './bptt';

/** 0 SimpleRNN, 1 LSTM (i f c o), 2 GRU reset_after, 3 GRU reset before (z r h). */
export type FastRnnKind = 0 | 1 | 2 | 3;

export interface FastRnnArgs {
  kind: FastRnnKind;
  N: number;
  T: number;
  D: number;
  M: number;
  /** (N, T, D) C order. */
  x: Float64Array;
  /** D × G·M and M × G·M, row-major, Keras gate order. */
  Wx: Float64Array;
  Wh: Float64Array;
  inBias: Float64Array | null;
  recBias: Float64Array | null;
  act: number;
  ract: number;
  goBackwards: boolean;
  /** Keep h_t of every step ((N, T, M), processing order). */
  wantSeq: boolean;
  precision: Precision;
  isCancelled?: () => boolean;
  /**
   * For the backward pass (float64, kinds 0–2): filled with what the batched BPTT reads
   * (math/fastBptt.ts): h_t, c_t, the gate activations as the kernels computed them and the GRU's
   * h·Wh_h + b_h, per step. Its `pre` stays empty: only the batched BPTT can use this tape.
   */
  tape?: RnnTape;
  /**
   * Which kernel layout: the units in the lanes (simd/block.ts) or the samples (simd/lanes.ts).
   * Default: `usesLanes`. For the tests and the crossover measurement.
   */
  layout?: 'units' | 'lanes';
}

export interface FastRnnResult {
  seq: Float64Array | null;
  h: Float64Array;
  c: Float64Array | null;
}

const GATES = [1, 4, 3, 3];
/** Samples per block: one product feeds them all; their state stays in cache. */
const NB = 64;
/**
 * Widest layer run with the samples in the lanes (simd/lanes.ts) rather than the units; measured
 * with scripts/lanes-crossover.mjs (docs/benchmarks.md, "Small layers").
 */
export const LANES_MAX_M: Record<Precision, number> = { f64: 12, f32: 16 };

/** Whether fastRnn runs this layer with the samples in the lanes. */
export function usesLanes(kind: FastRnnKind, M: number, precision: Precision, tape: boolean): boolean {
  return !tape && kind !== 3 && M <= LANES_MAX_M[precision];
}

/** Runs the layer on the kernels; null when they are unavailable (the caller uses the reference). */
export function fastRnn(a: FastRnnArgs): FastRnnResult | null {
  const k = kernels();
  if (!k) return null;
  const { kind, N, T, D, M } = a;
  // Small layers without a tape: the samples in the lanes (before any of the units layout is laid out).
  if (!a.tape && kind !== 3 && (a.layout ?? (usesLanes(kind, M, a.precision, false) ? 'lanes' : 'units')) === 'lanes') return lanesRnn(a, k);
  const f64 = a.precision === 'f64';
  const G = GATES[kind];
  const pw = panelWidth(a.precision);
  const Mp = roundUp(M, pw);
  const GMp = G * Mp;
  const nb = Math.min(NB, N);
  const ar = new Arena(k, a.precision);
  const wx = ar.alloc(D * GMp);
  const wh = ar.alloc(M * GMp); // M rows (block.ts runs the recurrent products over k = M)
  const bin = ar.alloc(GMp);
  const brec = ar.alloc(GMp);
  const xb = ar.alloc(nb * T * D);
  const zx = ar.alloc(nb * GMp);
  const zr = ar.alloc(nb * GMp);
  const h = ar.alloc(nb * Mp);
  const c = ar.alloc(nb * Mp);
  const rh = ar.alloc(nb * Mp);
  // Outputs of a block, unpadded: copied out with one set each.
  const sq = ar.alloc(a.wantSeq ? nb * T * M : 0);
  const ho = ar.alloc(nb * M);
  const co = ar.alloc(nb * M);
  // The backward pass's tape for a block, rows b·T + t.
  const tape = a.tape && f64 && kind !== 3 ? a.tape : null;
  if (a.tape && !tape) throw new InspectorError('', 'internal: the kernels keep a tape in float64 for SimpleRNN, LSTM and GRU (reset_after) only');
  const AW = tape ? (kind === 1 ? 5 * Mp : kind === 2 ? 3 * Mp : 0) : 0;
  const tA = ar.alloc(nb * T * AW);
  const tH = ar.alloc(tape ? nb * T * M : 0);
  const tC = ar.alloc(tape && kind === 1 ? nb * T * M : 0);
  const tR = ar.alloc(tape && kind === 2 ? nb * T * M : 0);
  ar.commit();
  packPanels(a.Wx, D, G, M, Mp, D, pw, ar.view(wx, D * GMp));
  packPanels(a.Wh, M, G, M, Mp, M, pw, ar.view(wh, M * GMp));
  if (a.inBias) packGates(a.inBias, G, M, Mp, ar.view(bin, GMp));
  if (a.recBias) packGates(a.recBias, G, M, Mp, ar.view(brec, GMp));
  const X = ar.view(xb, nb * T * D);
  const S = ar.view(sq, a.wantSeq ? nb * T * M : 0);
  const HO = ar.view(ho, nb * M);
  const CO = ar.view(co, nb * M);

  if (tape) {
    // From the pool (gradients() gives them back when it is done): fresh pages cost a fault each here.
    tape.pre = new Float64Array(0);
    tape.h = takeF64(N * T * M);
    tape.c = kind === 1 ? takeF64(N * T * M) : null;
    tape.rec = kind === 2 ? takeF64(N * T * M) : null;
    tape.acts = AW ? takeF64(N * T * AW) : undefined;
    tape.actsWidth = AW || undefined;
  }
  const block = f64 ? k.block64 : k.block32;
  return overBlocks(a, nb, X, S, HO, CO, (n0, rows) => {
    block(kind, rows, T, D, M, Mp, a.goBackwards ? 1 : 0, xb, wx, wh, bin, brec, a.inBias ? 2 : 0, a.recBias ? 2 : 0, zx, zr, h, c, rh, a.act, a.ract, a.wantSeq ? sq : 0, ho, co, AW ? tA : 0, AW, tape ? tH : 0, tape && kind === 1 ? tC : 0, tape && kind === 2 ? tR : 0);
    if (tape) {
      const rt = rows * T;
      tape.h.set(ar.view(tH, rt * M), n0 * T * M);
      if (tape.c) tape.c.set(ar.view(tC, rt * M), n0 * T * M);
      if (tape.rec) tape.rec.set(ar.view(tR, rt * M), n0 * T * M);
      if (tape.acts) tape.acts.set(ar.view(tA, rt * AW), n0 * T * AW);
    }
  });
}

/**
 * The loop over blocks of nb samples that both layouts share: a block's inputs into the kernels'
 * memory (X), `run` (the kernel, and anything else per block), and its unpadded outputs (S, HO,
 * CO in the kernels' memory) copied out with one set each.
 */
function overBlocks(a: FastRnnArgs, nb: number, X: Float64Array | Float32Array, S: Float64Array | Float32Array, HO: Float64Array | Float32Array, CO: Float64Array | Float32Array, run: (n0: number, rows: number) => void): FastRnnResult {
  const { N, T, D, M } = a;
  const seqOut = a.wantSeq ? takeF64(N * T * M) : null;
  const hOut = takeF64(N * M);
  const cOut = a.kind === 1 ? takeF64(N * M) : null;
  for (let n0 = 0; n0 < N; n0 += nb) {
    if (a.isCancelled?.()) throw new InspectorError('', 'cancelled');
    const rows = Math.min(nb, N - n0);
    X.set(a.x.subarray(n0 * T * D, (n0 + rows) * T * D));
    run(n0, rows);
    hOut.set(rows === nb ? HO : HO.subarray(0, rows * M), n0 * M);
    if (cOut) cOut.set(rows === nb ? CO : CO.subarray(0, rows * M), n0 * M);
    if (seqOut) seqOut.set(rows === nb ? S : S.subarray(0, rows * T * M), n0 * T * M);
  }
  return { seq: seqOut, h: hOut, c: cOut };
}

/** Samples per group of simd/lanes.ts: two vectors of lanes. */
const GROUP: Record<Precision, number> = { f64: 4, f32: 8 };

/**
 * The layer with the samples in the SIMD lanes (simd/lanes.ts), for small M. Weights as one
 * (D + M) × C matrix over u = [x_t; h_{t−1}], in column groups of 4 and then single columns (see
 * there for the columns).
 */
function lanesRnn(a: FastRnnArgs, k: Kernels): FastRnnResult {
  const { kind, N, T, D, M } = a;
  const K = D + M;
  const G = GATES[kind];
  const GM = G * M;
  const C = kind === 0 ? M : 4 * M;
  const nb = Math.min(NB, N);
  const nbg = roundUp(nb, GROUP[a.precision]);
  const ar = new Arena(k, a.precision);
  const w = ar.alloc(K * C);
  const bias = ar.alloc(C);
  // u, z and c hold 32 bytes (two vectors of the group) per entry.
  const per = a.precision === 'f64' ? 4 : 8;
  const u = ar.alloc(K * per);
  const z = ar.alloc(C * per);
  const c = ar.alloc(M * per);
  // The inputs stay float64 in both precisions (lanes32 rounds them as it reads them).
  const xb = ar.alloc(nbg * T * D * (per / 4));
  const sq = ar.alloc(a.wantSeq ? nb * T * M : 0);
  const ho = ar.alloc(nb * M);
  const co = ar.alloc(nb * M);
  ar.commit();
  // Column j of the combined matrix, row i < D from Wx, row D + i from Wh; then packed.
  const W = new Float64Array(K * C);
  const B = new Float64Array(C);
  const put = (j: number, src: number, fromX: boolean, fromH: boolean, bIn: boolean, bRec: boolean): void => {
    if (fromX) for (let i = 0; i < D; i++) W[i * C + j] = a.Wx[i * GM + src];
    if (fromH) for (let i = 0; i < M; i++) W[(D + i) * C + j] = a.Wh[i * GM + src];
    B[j] = (bIn && a.inBias ? a.inBias[src] : 0) + (bRec && a.recBias ? a.recBias[src] : 0);
  };
  if (kind === 2) {
    for (let j = 0; j < 2 * M; j++) put(j, j, true, true, true, true);
    for (let j = 0; j < M; j++) {
      put(2 * M + j, 2 * M + j, true, false, true, false);
      put(3 * M + j, 2 * M + j, false, true, false, true);
    }
  } else {
    for (let j = 0; j < C; j++) put(j, j, true, true, true, true);
  }
  const WP = ar.view(w, K * C);
  const groups = C >> 2;
  for (let q = 0; q < groups; q++) for (let i = 0; i < K; i++) for (let l = 0; l < 4; l++) WP[(q * K + i) * 4 + l] = W[i * C + q * 4 + l];
  for (let j = groups * 4, o = groups * 4 * K; j < C; j++) for (let i = 0; i < K; i++) WP[o++] = W[i * C + j];
  ar.view(bias, C).set(B);
  const X = new Float64Array(k.memory.buffer, xb, nbg * T * D);
  const S = ar.view(sq, a.wantSeq ? nb * T * M : 0);
  const HO = ar.view(ho, nb * M);
  const CO = ar.view(co, nb * M);
  const run = a.precision === 'f64' ? k.lanes64 : k.lanes32;
  return overBlocks(a, nb, X, S, HO, CO, (_n0, rows) =>
    run(kind, rows, T, D, M, a.goBackwards ? 1 : 0, xb, w, bias, C, u, z, c, a.act, a.ract, a.wantSeq ? sq : 0, ho, co),
  );
}
