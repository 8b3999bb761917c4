/**
 * Backpropagation through time: the hot loops of the backward pass of SimpleRNN, LSTM and GRU
 * (both reset_after variants), in float64, one sample at a time from the last step to the first.
 *
 * The forward engine (layers/recurrent.ts) keeps, when asked, an RnnTape: every step's gate
 * pre-activations and the state after it. From it and dL/d(outputs) this file computes
 * dL/d(pre-activations) per step — on the input side (for Wx, the input bias and dL/dx) and on the
 * recurrent side (for Wh and the recurrent bias) — and dL/dh_t, whose norms show vanishing and
 * exploding gradients. The weight gradients are then a few products (accTN below).
 */
import type { Activation } from './activations';
import { dotCols, gemmT } from './kernels';
import { activationBackwardBlock, type ActivationGrad } from './activationGrads';

/** What the forward pass keeps for the backward pass of one recurrent layer. All C order, by time index t. */
export interface RnnTape {
  /** (N, T, G·M) gate pre-activations. GRU: z, r as x·Wx + h·Wh + b; h̃ as the argument of its activation. */
  pre: Float64Array;
  /** GRU reset_after: (N, T, M) h_{t-1}·Wh_h + bh_h (before r is applied). */
  rec: Float64Array | null;
  /** (N, T, M) the state after the step at t (carried over masked steps). */
  h: Float64Array;
  /** LSTM: (N, T, M) the cell state after the step at t. */
  c: Float64Array | null;
  /**
   * From the SIMD forward pass only (math/fastRnn.ts; LSTM and GRU): (N, T, actsWidth) each step's
   * gate activations as the kernels computed them, gate blocks padded to Mp, and for an LSTM act(c_t)
   * after them; the batched BPTT reads them instead of evaluating the activations again.
   */
  acts?: Float64Array;
  actsWidth?: number;
}

export function allocTape(N: number, T: number, G: number, M: number): RnnTape {
  return {
    pre: new Float64Array(N * T * G * M),
    rec: G === 3 ? new Float64Array(N * T * M) : null,
    h: new Float64Array(N * T * M),
    c: G === 4 ? new Float64Array(N * T * M) : null,
  };
}

export type CellKind = 'simple' | 'lstm' | 'gruAfter' | 'gruBefore';

export interface BpttInput {
  N: number;
  T: number;
  M: number;
  cell: CellKind;
  goBackwards: boolean;
  returnSequences: boolean;
  zeroOutputForMask: boolean;
  mask: Uint8Array | null;
  tape: RnnTape;
  /** M × G·M, row-major. */
  Wh: Float64Array;
  act: Activation;
  actGrad: ActivationGrad;
  ract: Activation;
  ractGrad: ActivationGrad;
  /** dL/d(output): (N, T, M) in processing order when return_sequences, else (N, M); null: none. */
  dY: Float64Array | null;
  /** dL/d(final h) and dL/d(final c) from return_state outputs, (N, M) each. */
  dH: Float64Array | null;
  dC: Float64Array | null;
}

export interface BpttOutput {
  /** (N, T, G·M) dL/d(pre-activation), input side: dWx = Xᵀ·dPreX, d(input bias) = Σ dPreX, dX = dPreX·Wxᵀ. */
  dPreX: Float64Array;
  /** (N, T, G·M) recurrent side: dWh = Σ hPrevᵀ·dPreH (GRU reset_before: rhPrev for the h̃ block). */
  dPreH: Float64Array;
  /** (N, T, M) h_{t-1} as the recurrent kernel saw it. */
  hPrev: Float64Array;
  /** GRU reset_before: (N, T, M) r_t ⊙ h_{t-1}, the input of Wh's h̃ block. */
  rhPrev: Float64Array | null;
  /** (T) ‖∂L/∂h‖ after each processing step (over the batch). */
  norms: Float64Array;
}

/** dst[dOff + j] = src[sOff + j] for j < len (no subarray objects in the hot loops). */
export function put(dst: Float64Array, dOff: number, src: Float64Array, sOff: number, len: number): void {
  for (let j = 0; j < len; j++) dst[dOff + j] = src[sOff + j];
}

/** Applies an activation to buf[off .. off+len) in place. */
export function applyAct(act: Activation, buf: Float64Array, off: number, len: number): void {
  const f = act.f;
  if (f) for (let j = off, e = off + len; j < e; j++) buf[j] = f(buf[j]);
  else act.row!(buf, off, len);
}

/** out[outOff + i] (+)= Σ_p v[vOff + p] · W[i·ld + colOff + p], for i < rows: v times the transpose of a column block of W. */
export function rowDots(
  v: Float64Array,
  vOff: number,
  len: number,
  W: Float64Array,
  ld: number,
  colOff: number,
  rows: number,
  out: Float64Array,
  outOff: number,
  accumulate: boolean,
): void {
  if (colOff === 0 && len === ld) {
    dotCols(v, vOff, len, W, 0, rows, out, outOff, accumulate); // W's rows are the columns of Wᵀ
    return;
  }
  for (let i = 0; i < rows; i++) {
    const w = i * ld + colOff;
    let s = 0;
    for (let p = 0; p < len; p++) s += v[vOff + p] * W[w + p];
    if (accumulate) out[outOff + i] += s;
    else out[outOff + i] = s;
  }
}

/**
 * out[p·ldo + outOff + j] += Σ_r a[r·lda + aOff + p] · b[r·ldb + bOff + j] for p < k, j < n:
 * aᵀ·b over `rows` rows, on column blocks of a and b (weight gradients). Both blocks are
 * transposed once so that the products are contiguous dot products over the rows (gemmT).
 */
export function accTN(
  a: Float64Array,
  lda: number,
  aOff: number,
  rows: number,
  k: number,
  b: Float64Array,
  ldb: number,
  bOff: number,
  n: number,
  out: Float64Array,
  ldo: number,
  outOff: number,
): void {
  if (!rows || !k || !n) return;
  const aT = new Float64Array(k * rows);
  const bT = new Float64Array(n * rows);
  for (let r = 0; r < rows; r++) {
    const ar = r * lda + aOff;
    const br = r * ldb + bOff;
    for (let p = 0; p < k; p++) aT[p * rows + r] = a[ar + p];
    for (let j = 0; j < n; j++) bT[j * rows + r] = b[br + j];
  }
  gemmT(aT, 0, rows, k, rows, bT, 0, n, out, outOff, ldo, true);
}

/** out[outOff + j] += Σ_r a[r·lda + aOff + j], j < n (bias gradients). */
export function accColSums(a: Float64Array, lda: number, aOff: number, rows: number, n: number, out: Float64Array, outOff: number): void {
  for (let r = 0; r < rows; r++) {
    const ar = r * lda + aOff;
    for (let j = 0; j < n; j++) out[outOff + j] += a[ar + j];
  }
}

/** Runs BPTT over every sample. */
export function bptt(a: BpttInput): BpttOutput {
  const { N, T, M, cell, tape, Wh, mask } = a;
  const G = cell === 'simple' ? 1 : cell === 'lstm' ? 4 : 3;
  const GM = G * M;
  const dPreX = new Float64Array(N * T * GM);
  const dPreH = cell === 'gruAfter' ? new Float64Array(N * T * GM) : dPreX;
  const hPrev = new Float64Array(N * T * M);
  const rhPrev = cell === 'gruBefore' ? new Float64Array(N * T * M) : null;
  const norms = new Float64Array(T);
  const P = new Float64Array(GM); // pre-activations of this step
  const A = new Float64Array(GM); // their activations
  const dA = new Float64Array(GM); // dL/d(activations)
  const dh = new Float64Array(M);
  const dc = new Float64Array(M);
  const tmp = new Float64Array(M);
  const tmp2 = new Float64Array(M);
  const tmp3 = new Float64Array(M);
  const zeros = new Float64Array(M);
  const lastT = a.goBackwards ? 0 : T - 1;

  for (let n = 0; n < N; n++) {
    // The gradient arriving at the final state.
    dh.fill(0);
    dc.fill(0);
    if (!a.returnSequences && a.dY) {
      const lastMasked = mask !== null && mask[n * T + lastT] === 0;
      if (!(lastMasked && a.zeroOutputForMask)) for (let j = 0; j < M; j++) dh[j] = a.dY[n * M + j];
    }
    if (a.dH) for (let j = 0; j < M; j++) dh[j] += a.dH[n * M + j];
    if (a.dC) for (let j = 0; j < M; j++) dc[j] += a.dC[n * M + j];

    for (let s = T - 1; s >= 0; s--) {
      const t = a.goBackwards ? T - 1 - s : s;
      const masked = mask !== null && mask[n * T + t] === 0;
      if (a.returnSequences && a.dY && !(masked && a.zeroOutputForMask)) {
        const o = (n * T + s) * M;
        for (let j = 0; j < M; j++) dh[j] += a.dY[o + j];
      }
      let sq = 0;
      for (let j = 0; j < M; j++) sq += dh[j] * dh[j];
      norms[s] += sq;
      if (masked) continue; // the state was carried: its gradient passes through unchanged

      const tp = a.goBackwards ? t + 1 : t - 1;
      const hp = s > 0 ? (n * T + tp) * M : -1;
      const hArr = hp >= 0 ? tape.h : zeros;
      const hOff = hp >= 0 ? hp : 0;
      const ht = (n * T + t) * M;
      for (let j = 0; j < M; j++) hPrev[ht + j] = hArr[hOff + j];
      const base = (n * T + t) * GM;
      for (let j = 0; j < GM; j++) P[j] = tape.pre[base + j];

      if (cell === 'simple') {
        for (let j = 0; j < M; j++) A[j] = tape.h[ht + j];
        activationBackwardBlock(a.actGrad, P, A, dh, 0, M, dPreX, base);
        rowDots(dPreX, base, GM, Wh, GM, 0, M, dh, 0, false);
      } else if (cell === 'lstm') {
        for (let j = 0; j < GM; j++) A[j] = P[j];
        applyAct(a.ract, A, 0, M);
        applyAct(a.ract, A, M, M);
        applyAct(a.act, A, 2 * M, M);
        applyAct(a.ract, A, 3 * M, M);
        const cArr = hp >= 0 ? tape.c! : zeros;
        // tmp = c_t, tmp2 = act(c_t), tmp3 = dL/d(act(c_t)) = dh ⊙ o
        for (let j = 0; j < M; j++) {
          tmp[j] = tape.c![ht + j];
          tmp2[j] = tmp[j];
        }
        applyAct(a.act, tmp2, 0, M);
        for (let j = 0; j < M; j++) tmp3[j] = dh[j] * A[3 * M + j];
        activationBackwardBlock(a.actGrad, tmp, tmp2, tmp3, 0, M, tmp, 0); // tmp = dL/dc_t through h_t
        for (let j = 0; j < M; j++) {
          const dct = dc[j] + tmp[j];
          dA[j] = dct * A[2 * M + j]; // i
          dA[M + j] = dct * cArr[hOff + j]; // f
          dA[2 * M + j] = dct * A[j]; // c̃
          dA[3 * M + j] = dh[j] * tmp2[j]; // o
          dc[j] = dct * A[M + j];
        }
        activationBackwardBlock(a.ractGrad, P, A, dA, 0, M, dPreX, base);
        activationBackwardBlock(a.ractGrad, P, A, dA, M, M, dPreX, base + M);
        activationBackwardBlock(a.actGrad, P, A, dA, 2 * M, M, dPreX, base + 2 * M);
        activationBackwardBlock(a.ractGrad, P, A, dA, 3 * M, M, dPreX, base + 3 * M);
        rowDots(dPreX, base, GM, Wh, GM, 0, M, dh, 0, false);
      } else {
        // GRU: h = z ⊙ h_prev + (1 − z) ⊙ h̃.
        for (let j = 0; j < GM; j++) A[j] = P[j];
        applyAct(a.ract, A, 0, M);
        applyAct(a.ract, A, M, M);
        applyAct(a.act, A, 2 * M, M);
        for (let j = 0; j < M; j++) {
          const z = A[j];
          const hprev = hArr[hOff + j];
          dA[j] = dh[j] * (hprev - A[2 * M + j]);
          dA[2 * M + j] = dh[j] * (1 - z);
          tmp[j] = dh[j] * z; // the direct path to h_prev
        }
        activationBackwardBlock(a.actGrad, P, A, dA, 2 * M, M, dPreX, base + 2 * M);
        if (cell === 'gruAfter') {
          const ro = (n * T + t) * M;
          for (let j = 0; j < M; j++) {
            const dph = dPreX[base + 2 * M + j];
            dA[M + j] = dph * tape.rec![ro + j];
            dPreH[base + 2 * M + j] = dph * A[M + j];
          }
          activationBackwardBlock(a.ractGrad, P, A, dA, 0, M, dPreX, base);
          activationBackwardBlock(a.ractGrad, P, A, dA, M, M, dPreX, base + M);
          for (let j = 0; j < 2 * M; j++) dPreH[base + j] = dPreX[base + j];
          rowDots(dPreH, base, GM, Wh, GM, 0, M, dh, 0, false);
        } else {
          // h̃ = act(x·Wx_h + (r ⊙ h_prev)·Wh_h + b_h)
          rowDots(dPreX, base + 2 * M, M, Wh, GM, 2 * M, M, tmp2, 0, false); // dL/d(r ⊙ h_prev)
          for (let j = 0; j < M; j++) {
            const hprev = hArr[hOff + j];
            dA[M + j] = tmp2[j] * hprev;
            tmp[j] += tmp2[j] * A[M + j];
            rhPrev![ht + j] = A[M + j] * hprev;
          }
          activationBackwardBlock(a.ractGrad, P, A, dA, 0, M, dPreX, base);
          activationBackwardBlock(a.ractGrad, P, A, dA, M, M, dPreX, base + M);
          rowDots(dPreX, base, 2 * M, Wh, GM, 0, M, dh, 0, false);
        }
        for (let j = 0; j < M; j++) dh[j] += tmp[j];
      }
    }
  }
  for (let s = 0; s < T; s++) norms[s] = Math.sqrt(norms[s]);
  return { dPreX, dPreH, hPrev, rhPrev, norms };
}
