/**
 * The recurrent layers on the SIMD kernels: per block of samples and per time step, two blocked
 * products (x_t·Wx + b_in and h_{t-1}·Wh + b_rec, weights packed once per call) and one vectorised
 * gate step, all inside the kernels' memory: nothing is allocated inside the time loop.
 * Same arithmetic as the TypeScript reference (src/core/layers/recurrent.ts) up to summation order
 * in float64; float32 on request (Keras's own arithmetic).
 */
import { InspectorError } from '../model';
import { Arena, kernels, packGates, packPanels, panelWidth, roundUp, type Precision } from './wasm';
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
   * Filled for the backward pass when given (float64, kinds 0–2): what the reference engine keeps
   * (bptt.ts RnnTape), copied out of the kernels' buffers after each step. `ract` is the recurrent
   * activation in TypeScript, for the GRU's h̃ argument x·Wx_h + r ⊙ (h·Wh_h + b_h).
   */
  tape?: { into: RnnTape; ract: (x: number) => number };
}

export interface FastRnnResult {
  seq: Float64Array | null;
  h: Float64Array;
  c: Float64Array | null;
}

const GATES = [1, 4, 3, 3];
/** Samples per block: one product feeds them all; their state stays in cache. */
const NB = 64;

/** Runs the layer on the kernels; null when they are unavailable (the caller uses the reference). */
export function fastRnn(a: FastRnnArgs): FastRnnResult | null {
  const k = kernels();
  if (!k) return null;
  const { kind, N, T, D, M } = a;
  const f64 = a.precision === 'f64';
  const G = GATES[kind];
  const pw = panelWidth(a.precision);
  const Mp = roundUp(M, pw);
  const GMp = G * Mp;
  const nb = Math.min(NB, N);
  const ar = new Arena(k, a.precision);
  const wx = ar.alloc(D * GMp);
  const wh = ar.alloc(Mp * GMp);
  const bin = ar.alloc(GMp);
  const brec = ar.alloc(GMp);
  const xb = ar.alloc(nb * T * D);
  const zx = ar.alloc(nb * GMp);
  const zr = ar.alloc(nb * GMp);
  const h = ar.alloc(nb * Mp);
  const c = ar.alloc(nb * Mp);
  const rh = ar.alloc(nb * Mp);
  const sq = ar.alloc(a.wantSeq ? nb * T * Mp : 0);
  // The backward pass's gate activations (and LSTM act(c_t)) per step, written by the step kernel.
  const AW = a.tape && f64 ? (kind === 1 ? 5 * Mp : kind === 2 ? 3 * Mp : 0) : 0;
  const ta = ar.alloc(nb * T * AW);
  ar.commit();
  packPanels(a.Wx, D, G, M, Mp, D, pw, ar.view(wx, D * GMp));
  packPanels(a.Wh, M, G, M, Mp, Mp, pw, ar.view(wh, Mp * GMp));
  if (a.inBias) packGates(a.inBias, G, M, Mp, ar.view(bin, GMp));
  if (a.recBias) packGates(a.recBias, G, M, Mp, ar.view(brec, GMp));
  const X = ar.view(xb, nb * T * D);
  const tape = a.tape && f64 && kind !== 3 ? a.tape : null;
  if (a.tape && !tape) throw new InspectorError('', 'internal: a tape is kept in float64 for SimpleRNN, LSTM and GRU (reset_after) only');
  const ZX = tape ? ar.view(zx, nb * GMp) : null;
  const ZR = tape ? ar.view(zr, nb * GMp) : null;
  const TA = ar.view(ta, nb * T * AW);
  if (tape && AW) {
    tape.into.acts = new Float64Array(N * T * AW);
    tape.into.actsWidth = AW;
  }
  const H = ar.view(h, nb * Mp);
  const C = ar.view(c, nb * Mp);
  const S = ar.view(sq, a.wantSeq ? nb * T * Mp : 0);

  const gemm = f64 ? k.gemm64 : k.gemm32;
  const step = f64 ? k.step64 : k.step32;
  const es = ar.bytesPer;
  const inMode = a.inBias ? 2 : 0;
  const recMode = a.recBias ? 2 : 0;
  const stepKind = kind === 3 ? 3 : kind;
  const recPanels = (kind === 3 ? 2 * Mp : GMp) / pw;
  const whH = wh + (2 * Mp / pw) * Mp * pw * es; // the h̃ panels of Wh (reset-before GRU)
  const seqOut = a.wantSeq ? new Float64Array(N * T * M) : null;
  const hOut = new Float64Array(N * M);
  const cOut = kind === 1 ? new Float64Array(N * M) : null;

  for (let n0 = 0; n0 < N; n0 += nb) {
    if (a.isCancelled?.()) throw new InspectorError('', 'cancelled');
    const rows = Math.min(nb, N - n0);
    X.set(a.x.subarray(n0 * T * D, (n0 + rows) * T * D));
    H.fill(0);
    C.fill(0);
    for (let s = 0; s < T; s++) {
      const t = a.goBackwards ? T - 1 - s : s;
      gemm(xb + t * D * es, T * D, rows, D, wx, GMp / pw, zx, GMp, inMode, bin);
      gemm(h, Mp, rows, Mp, wh, recPanels, zr, GMp, recMode, brec);
      const seqPtr = a.wantSeq ? sq + s * Mp * es : 0;
      if (tape) keepPre(tape, ZX!, ZR!, n0, rows, t, T, G, M, Mp, kind);
      step(stepKind, zx, zr, h, c, rh, rows, Mp, a.act, a.ract, seqPtr, T * Mp * es, AW ? ta + t * AW * es : 0, T * AW * es);
      if (tape) keepState(tape.into, H, kind === 1 ? C : null, n0, rows, t, T, M, Mp);
      if (kind === 3) {
        gemm(rh, Mp, rows, Mp, whH, Mp / pw, zr + 2 * Mp * es, GMp, 0, 0);
        step(4, zx, zr, h, c, rh, rows, Mp, a.act, a.ract, seqPtr, T * Mp * es, 0, 0);
      }
    }
    if (tape && AW) tape.into.acts!.set(TA.subarray(0, rows * T * AW), n0 * T * AW);
    for (let b = 0; b < rows; b++) {
      const n = n0 + b;
      hOut.set(H.subarray(b * Mp, b * Mp + M), n * M);
      if (cOut) cOut.set(C.subarray(b * Mp, b * Mp + M), n * M);
      if (seqOut) for (let s = 0; s < T; s++) seqOut.set(S.subarray((b * T + s) * Mp, (b * T + s) * Mp + M), (n * T + s) * M);
    }
  }
  return { seq: seqOut, h: hOut, c: cOut };
}

/** The gate pre-activations of one step into the tape (as the reference engine keeps them). */
function keepPre(tp: NonNullable<FastRnnArgs['tape']>, ZX: Float64Array | Float32Array, ZR: Float64Array | Float32Array, n0: number, rows: number, t: number, T: number, G: number, M: number, Mp: number, kind: FastRnnKind): void {
  const { pre, rec } = tp.into;
  const GM = G * M;
  const GMp = G * Mp;
  const direct = kind === 2 ? 2 : G; // GRU reset_after: z, r are sums; h̃ is x_h + r ⊙ rec
  for (let b = 0; b < rows; b++) {
    const o = ((n0 + b) * T + t) * GM;
    const z = b * GMp;
    for (let g = 0; g < direct; g++) for (let j = 0; j < M; j++) pre[o + g * M + j] = ZX[z + g * Mp + j] + ZR[z + g * Mp + j];
    if (kind === 2) {
      const ro = ((n0 + b) * T + t) * M;
      for (let j = 0; j < M; j++) {
        const rc = ZR[z + 2 * Mp + j];
        rec![ro + j] = rc;
        pre[o + 2 * M + j] = ZX[z + 2 * Mp + j] + tp.ract(pre[o + M + j]) * rc;
      }
    }
  }
}

/** h_t (and c_t) of one step into the tape. */
function keepState(tape: RnnTape, H: Float64Array | Float32Array, C: Float64Array | Float32Array | null, n0: number, rows: number, t: number, T: number, M: number, Mp: number): void {
  for (let b = 0; b < rows; b++) {
    const o = ((n0 + b) * T + t) * M;
    for (let j = 0; j < M; j++) tape.h[o + j] = H[b * Mp + j];
    if (C && tape.c) for (let j = 0; j < M; j++) tape.c[o + j] = C[b * Mp + j];
  }
}
