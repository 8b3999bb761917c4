/**
 * Backpropagation through time batched over the samples, on the SIMD kernels (float64): the fast
 * path of bptt.ts, which stays the reference it is tested against (≤ 1e-12).
 *
 * Samples go in blocks of up to 64 (fewer when T·G·M is large, to bound the kernels' memory). For a
 * block, stepping t = T…1 once for all its samples:
 *
 *   δ_t  = dL/d(pre-activations) from dh_t, dc_t and the tape     (TypeScript, elementwise)
 *   dWx += x_tᵀ·δ_t,  dWh += h_{t-1}ᵀ·δ_t                            (two products, k = the block's rows)
 *   dh_{t-1} = δ_t·Whᵀ (+ dh_t ⊙ z for a GRU)                        (one product)
 *
 * then, for the whole block at once, dX = δ·Wxᵀ over its N_b·T rows and the bias gradients as
 * column sums.
 * SimpleRNN, LSTM and GRU (reset_after) with the activations the kernels vectorise; masks are
 * honoured (a masked step carries its gradient through). Anything else: null, and the caller runs
 * the reference.
 */
import type { Activation } from './activations';
import type { BpttInput } from './bptt';
import { Arena, activationCode, kernels, packPanels, roundUp } from './wasm';
import { takeF64 } from './bufferPool';

export interface FastBpttInput extends BpttInput {
  /** (N, T, D) the layer's input. */
  x: Float64Array;
  D: number;
  /** D × G·M, row-major. */
  Wx: Float64Array;
  /** Whether dL/dx is wanted. */
  wantDx: boolean;
  /** Activation codes (wasm.ts activationCode) of act and ract. */
  actCode: number;
  ractCode: number;
}

export interface FastBpttOutput {
  dWx: Float64Array;
  dWh: Float64Array;
  /** dL/d(input bias) (G·M) and, GRU reset_after, dL/d(recurrent bias) (G·M). */
  dbIn: Float64Array;
  dbRec: Float64Array | null;
  dX: Float64Array | null;
  norms: Float64Array;
}

/** The kernels' codes for the layer's activations, or null when the fast backward does not apply. */
export function fastBpttCodes(act: Activation, ract: Activation, keras2: boolean): [number, number] | null {
  if (act.df || ract.df) return null; // a derivative of its own (an activation layer's): the reference applies it
  const a = activationCode(act.name, keras2);
  const r = activationCode(ract.name, keras2);
  return a === null || r === null ? null : [a, r];
}

/** Bytes of kernel memory one block may use. */
const BLOCK_BYTES = 48 * 1024 * 1024;
const NB = 64;
const PW = 4; // float64 panel width

export function fastBptt(a: FastBpttInput): FastBpttOutput | null {
  const k = kernels();
  if (!k || a.cell === 'gruBefore') return null;
  const { N, T, M, D, cell, tape, mask } = a;
  const G = cell === 'simple' ? 1 : cell === 'lstm' ? 4 : 3;
  const GM = G * M;
  const Mp = roundUp(M, PW);
  const GMp = G * Mp;
  const Dp = roundUp(D, PW);
  const gru = cell === 'gruAfter';
  // The gates' activations: kept by the SIMD forward pass (rows of actsWidth: gates, then LSTM
  // act(c_t)), or evaluated here per block from a reference tape's pre-activations. SimpleRNN:
  // act' from h_t itself, read in place.
  const kept = G === 1 ? tape.h : tape.acts && tape.actsWidth === (cell === 'lstm' ? 5 : 3) * Mp ? tape.acts : null;
  const evalA = !kept; // the per-block buffers below exist only then
  // Kernel memory per sample: δ (twice for a GRU), inputs, states, dX and, evaluated here, the activations.
  const perSample = T * (GMp * (gru ? 2 : 1) + D + M + Dp + (evalA ? GMp + Mp : 0)) * 8;
  const nb = Math.max(1, Math.min(NB, N, Math.floor(BLOCK_BYTES / perSample)));
  const R = nb * T;

  const ar = new Arena(k, 'f64');
  const whT = ar.alloc(GMp * Mp);
  const wxT = ar.alloc(a.wantDx ? GMp * Dp : 0);
  const dPx = ar.alloc(R * GMp); // δ on the input side, rows b·T + t, gate blocks padded to Mp
  const dPh = gru ? ar.alloc(R * GMp) : dPx; // δ on the recurrent side (GRU: h̃ block times r)
  const pan = ar.alloc(nb * GMp); // one step's δ in panels, for the weight products
  const panH = gru ? ar.alloc(nb * GMp) : pan;
  const xs = ar.alloc(R * D); // the block's inputs and states as they lie (rows b·T + t): the A sides
  const hs = ar.alloc(R * M); // of the weight-gradient products, read transposed by gemmTN64
  const acts = ar.alloc(evalA ? R * GMp : 0); // the gates' activations (blocks padded to Mp: the kernels work in pairs)
  const tc = ar.alloc(evalA && cell === 'lstm' ? R * Mp : 0); // act(c_t)
  let dh = ar.alloc(nb * Mp);
  let dhNew = ar.alloc(nb * Mp);
  const dxb = ar.alloc(a.wantDx ? R * Dp : 0);
  const gWx = ar.alloc(D * GMp);
  const gWh = ar.alloc(Mp * GMp);
  ar.commit();

  // Whᵀ and Wxᵀ as packed weights: row gi·Mp + j is gate gi's column j (padding rows zero).
  const tr = (w: Float64Array, rows: number, cols: number, ptr: number): void => {
    const t = new Float64Array(GMp * cols);
    for (let gi = 0; gi < G; gi++) for (let j = 0; j < M; j++) for (let i = 0; i < rows; i++) t[(gi * Mp + j) * cols + i] = w[i * GM + gi * M + j];
    packPanels(t, GMp, 1, cols, roundUp(cols, PW), GMp, PW, ar.view(ptr, GMp * roundUp(cols, PW)));
  };
  tr(a.Wh, M, M, whT);
  if (a.wantDx) tr(a.Wx, D, D, wxT);
  const DPX = ar.view(dPx, R * GMp) as Float64Array;
  const DPH = ar.view(dPh, R * GMp) as Float64Array;
  const PAN = ar.view(pan, nb * GMp) as Float64Array;
  const PANH = ar.view(panH, nb * GMp) as Float64Array;
  const XS = ar.view(xs, R * D) as Float64Array;
  const HS = ar.view(hs, R * M) as Float64Array;
  const A = ar.view(acts, evalA ? R * GMp : 0) as Float64Array;
  const TC = ar.view(tc, evalA && cell === 'lstm' ? R * Mp : 0) as Float64Array;
  let DH = ar.view(dh, nb * Mp) as Float64Array;
  let DHN = ar.view(dhNew, nb * Mp) as Float64Array;
  const DXB = ar.view(dxb, a.wantDx ? R * Dp : 0) as Float64Array;
  const GWX = ar.view(gWx, D * GMp) as Float64Array;
  const GWH = ar.view(gWh, Mp * GMp) as Float64Array;
  GWX.fill(0);
  GWH.fill(0);

  const dbIn = new Float64Array(GM);
  const dbRec = gru ? new Float64Array(GM) : null;
  const dX = a.wantDx ? takeF64(N * T * D) : null; // every element is written below; gradients() gives it back once used
  const norms = new Float64Array(T);
  const { pre, h: tH } = tape;
  const tC = tape.c;
  const rec = tape.rec;
  const ac = a.actCode;
  const rc = a.ractCode;
  const lastT = a.goBackwards ? 0 : T - 1;
  const carried = new Uint8Array(nb);
  const Aa = kept ?? A;
  const AW = G === 1 ? M : kept ? tape.actsWidth! : GMp;
  const TCa = kept ?? TC;

  for (let n0 = 0; n0 < N; n0 += nb) {
    const rows = Math.min(nb, N - n0);
    const Rb = rows * T;
    const base = n0 * T; // first global row of the block
    // The gates' activations (and act(c_t)) from the tape, on the kernels.
    if (evalA) {
      // LSTM / GRU from a reference tape (a masked input): gates from the pre-activations.
      for (let r = 0; r < Rb; r++) for (let gi = 0; gi < G; gi++) for (let j = 0; j < M; j++) A[r * GMp + gi * Mp + j] = pre[(base + r) * GM + gi * M + j];
      k.act64n(a.ractCode, acts, Rb * GMp);
      for (let r = 0; r < Rb; r++) {
        const o = r * GMp + 2 * Mp; // c̃ (LSTM) / h̃ (GRU): the activation, not the recurrent one
        const g = (base + r) * GM + 2 * M;
        for (let j = 0; j < M; j++) A[o + j] = pre[g + j];
        k.act64n(a.actCode, acts + o * 8, Mp);
      }
      if (cell === 'lstm') {
        for (let r = 0; r < Rb; r++) for (let j = 0; j < M; j++) TC[r * Mp + j] = tC![(base + r) * M + j];
        k.act64n(a.actCode, tc, Rb * Mp);
      }
    }
    const a0 = kept ? base : 0; // first row of the block in Aa
    XS.set(a.x.subarray(base * D, (base + Rb) * D));
    HS.set(tH.subarray(base * M, (base + Rb) * M));
    DPX.fill(0);
    if (gru) DPH.fill(0);

    // The gradient arriving at the final state.
    DH.fill(0);
    const dc = cell === 'lstm' ? new Float64Array(nb * Mp) : null;
    for (let b = 0; b < rows; b++) {
      const n = n0 + b;
      if (!a.returnSequences && a.dY) {
        const lastMasked = mask !== null && mask[n * T + lastT] === 0;
        if (!(lastMasked && a.zeroOutputForMask)) for (let j = 0; j < M; j++) DH[b * Mp + j] = a.dY[n * M + j];
      }
      if (a.dH) for (let j = 0; j < M; j++) DH[b * Mp + j] += a.dH[n * M + j];
      if (a.dC && dc) for (let j = 0; j < M; j++) dc[b * Mp + j] += a.dC[n * M + j];
    }

    for (let s = T - 1; s >= 0; s--) {
      const t = a.goBackwards ? T - 1 - s : s;
      const tp = a.goBackwards ? t + 1 : t - 1;
      let sq = 0;
      for (let b = 0; b < rows; b++) {
        const n = n0 + b;
        const masked = mask !== null && mask[n * T + t] === 0;
        carried[b] = masked ? 1 : 0;
        const hb = b * Mp;
        if (a.returnSequences && a.dY && !(masked && a.zeroOutputForMask)) sq += addSq(DH, hb, a.dY, (n * T + s) * M, M);
        else for (let j = 0; j < M; j++) sq += DH[hb + j] * DH[hb + j];
        if (masked) continue;
        const r = b * T + t; // row in the block
        const ao = (a0 + r) * AW;
        const hp = s > 0 ? (base + b * T + tp) * M : -1;
        if (cell === 'simple') deltaSimple(M, DH, b * Mp, Aa, ao, DPX, r * GMp, ac);
        else if (cell === 'lstm') deltaLstm(M, Mp, DH, dc!, b * Mp, Aa, ao, TCa, kept ? ao + 4 * Mp : r * Mp, tC!, hp, DPX, r * GMp, ac, rc);
        else deltaGru(M, Mp, DH, b * Mp, Aa, ao, tH, hp, rec!, (base + r) * M, DPX, DPH, r * GMp, ac, rc);
      }
      norms[s] += sq;
      // dWx += x_tᵀ·δ_t, dWh += h_{t-1}ᵀ·δ_t: products with k = rows, which stay in cache (over all
      // N·T rows at once, a strip of A and a panel each outgrew L1).
      stepPanels(DPX, PAN, t, T, rows, GMp);
      if (gru) stepPanels(DPH, PANH, t, T, rows, GMp);
      k.gemmTN64(xs + t * D * 8, T * D, D, rows, pan, GMp / PW, gWx, GMp);
      if (s > 0) k.gemmTN64(hs + tp * M * 8, T * M, M, rows, panH, GMp / PW, gWh, GMp);
      // dh_{t-1} = δ_t·Whᵀ for the block's rows of step t (stride T rows).
      k.gemm64(dPh + t * GMp * 8, T * GMp, rows, GMp, whT, Mp / PW, dhNew, Mp, 0, 0);
      if (gru || anyCarried(carried, rows)) {
        for (let b = 0; b < rows; b++) {
          const hb = b * Mp;
          if (carried[b]) for (let j = 0; j < M; j++) DHN[hb + j] = DH[hb + j]; // a masked step passes dh through unchanged
          else if (gru) {
            const ao = (a0 + b * T + t) * AW;
            for (let j = 0; j < M; j++) DHN[hb + j] += DH[hb + j] * Aa[ao + j];
          }
        }
      }
      [dh, dhNew, DH, DHN] = [dhNew, dh, DHN, DH];
    }

    // The block's bias gradients and dX.
    colSums(DPX, Rb, G, M, Mp, dbIn);
    if (dbRec) colSums(DPH, Rb, G, M, Mp, dbRec);
    if (dX) {
      k.gemm64(dPx, GMp, Rb, GMp, wxT, Dp / PW, dxb, Dp, 0, 0);
      if (Dp === D) dX.set(DXB.subarray(0, Rb * D), base * D);
      else for (let r = 0; r < Rb; r++) for (let i = 0; i < D; i++) dX[(base + r) * D + i] = DXB[r * Dp + i];
    }
  }
  for (let s = 0; s < T; s++) norms[s] = Math.sqrt(norms[s]);
  const dWx = new Float64Array(D * GM);
  const dWh = new Float64Array(M * GM);
  for (let gi = 0; gi < G; gi++) {
    for (let j = 0; j < M; j++) {
      for (let i = 0; i < D; i++) dWx[i * GM + gi * M + j] = GWX[i * GMp + gi * Mp + j];
      for (let i = 0; i < M; i++) dWh[i * GM + gi * M + j] = GWH[i * GMp + gi * Mp + j];
    }
  }
  return { dWx, dWh, dbIn, dbRec, dX, norms };
}

/** dh += dY (this step's output gradient), returning ‖dh‖² in the same pass. */
function addSq(DH: Float64Array, hb: number, dY: Float64Array, o: number, M: number): number {
  let sq = 0;
  for (let j = 0; j < M; j++) {
    const v = DH[hb + j] + dY[o + j];
    DH[hb + j] = v;
    sq += v * v;
  }
  return sq;
}

function anyCarried(c: Uint8Array, rows: number): boolean {
  for (let b = 0; b < rows; b++) if (c[b]) return true;
  return false;
}

/**
 * dy/dx of the kernels' activations (wasm.ts activationCode) from y = f(x) alone, as activationGrads.ts
 * differentiates them: relu's x > 0 is y > 0, hard_sigmoid's open interval of slope is 0 < y < 1.
 */
function dAct(code: number, y: number): number {
  switch (code) {
    case 1:
      return 1 - y * y; // tanh
    case 2:
      return y * (1 - y); // sigmoid
    case 0:
      return 1; // linear
    case 3:
      return y > 0 ? 1 : 0; // relu (0 at the kink, as TensorFlow)
    case 4:
      return y > 0 && y < 1 ? 1 / 6 : 0; // hard_sigmoid, Keras 3: relu6(x + 3) / 6
    case 5:
      return y > 0 && y < 1 ? 0.2 : 0; // hard_sigmoid, Keras 1/2: clip(0.2x + 0.5, 0, 1)
    default:
      return y; // exponential
  }
}

/** SimpleRNN: δ = dh ⊙ act'(pre-activation), from h_t, for one sample at one step. */
function deltaSimple(M: number, DH: Float64Array, hb: number, A: Float64Array, ao: number, out: Float64Array, d: number, ac: number): void {
  for (let j = 0; j < M; j++) out[d + j] = DH[hb + j] * dAct(ac, A[ao + j]);
}

/** LSTM: δ of the four gates for one sample at one step; dc becomes dL/dc_{t-1}. */
function deltaLstm(
  M: number,
  Mp: number,
  DH: Float64Array,
  dc: Float64Array,
  hb: number,
  A: Float64Array,
  ao: number,
  TC: Float64Array,
  co: number,
  C: Float64Array,
  cp: number,
  out: Float64Array,
  d: number,
  ac: number,
  rc: number,
): void {
  for (let j = 0; j < M; j++) {
    const ig = A[ao + j];
    const fg = A[ao + Mp + j];
    const cc = A[ao + 2 * Mp + j];
    const og = A[ao + 3 * Mp + j];
    const tc = TC[co + j];
    const dhj = DH[hb + j];
    const dct = dc[hb + j] + dhj * og * dAct(ac, tc);
    const cprev = cp >= 0 ? C[cp + j] : 0;
    out[d + j] = dct * cc * dAct(rc, ig);
    out[d + Mp + j] = dct * cprev * dAct(rc, fg);
    out[d + 2 * Mp + j] = dct * ig * dAct(ac, cc);
    out[d + 3 * Mp + j] = dhj * tc * dAct(rc, og);
    dc[hb + j] = dct * fg;
  }
}

/** GRU (reset_after): δ of z, r, h̃ on the input side (dx) and the recurrent side (dh: h̃ times r) for one sample at one step. */
function deltaGru(
  M: number,
  Mp: number,
  DH: Float64Array,
  hb: number,
  A: Float64Array,
  ao: number,
  H: Float64Array,
  hp: number,
  rec: Float64Array,
  ro: number,
  dx: Float64Array,
  dh: Float64Array,
  d: number,
  ac: number,
  rc: number,
): void {
  for (let j = 0; j < M; j++) {
    const z = A[ao + j];
    const rr = A[ao + Mp + j];
    const hh = A[ao + 2 * Mp + j];
    const dhj = DH[hb + j];
    const hprev = hp >= 0 ? H[hp + j] : 0;
    const dph = dhj * (1 - z) * dAct(ac, hh);
    const dz = dhj * (hprev - hh) * dAct(rc, z);
    const dr = dph * rec[ro + j] * dAct(rc, rr);
    dx[d + j] = dz;
    dx[d + Mp + j] = dr;
    dx[d + 2 * Mp + j] = dph;
    dh[d + j] = dz;
    dh[d + Mp + j] = dr;
    dh[d + 2 * Mp + j] = dph * rr;
  }
}

/** Step t's rows of δ (rows b·T + t of a block, cols wide) in the kernels' panel layout (panels of PW columns, k = rows). */
function stepPanels(src: Float64Array, dst: Float64Array, t: number, T: number, rows: number, cols: number): void {
  for (let q = 0; q < cols / PW; q++) {
    const pb = q * rows * PW;
    const c0 = q * PW;
    for (let r = 0; r < rows; r++) {
      const s = (r * T + t) * cols + c0;
      const d = pb + r * PW;
      dst[d] = src[s];
      dst[d + 1] = src[s + 1];
      dst[d + 2] = src[s + 2];
      dst[d + 3] = src[s + 3];
    }
  }
}

/** out[gi·M + j] += Σ_r src[r·G·Mp + gi·Mp + j]. */
function colSums(src: Float64Array, rows: number, G: number, M: number, Mp: number, out: Float64Array): void {
  const GMp = G * Mp;
  for (let r = 0; r < rows; r++) {
    const o = r * GMp;
    for (let gi = 0; gi < G; gi++) for (let j = 0; j < M; j++) out[gi * M + j] += src[o + gi * Mp + j];
  }
}
