// AssemblyScript (compiled by asc, not tsc): a whole block of samples through a recurrent layer,
// every time step inside the module (one call from JavaScript per block instead of 2–4 per step).
//
// Per step s (t = back ? T−1−s : s): zx = x_t·Wx (+ b_in), zr = h·Wh (+ b_rec), the gate step
// (step64/step32 of ./rnn), and for the reset-before GRU the second product (r ⊙ h)·Wh_h and phase 2.
// Outputs are written unpadded (M of the Mp columns), so the caller copies each block out with one
// typed-array set: seq (rows × T × M, processing order) when seq ≠ 0, the final h and c (rows × M).
//
//   xb: the block's inputs (rows × T × D, C order); wx (D rows) / wh (M rows): packed panels (./gemm)
//   of G·Mp columns; bin / brec: biases (G·Mp) used when inMode / recMode is 2; zx, zr (rows × G·Mp),
//   h, c, rh (rows × Mp): scratch; h and c are zeroed here.
//   block64 only, for the backward pass (kinds 0–2; 0 = not kept): per step, row b·T + t of
//   tA (rows·T × aw) the gate activations and LSTM act(c_t) (rnn.ts step64), of tH / tC
//   (rows·T × M) h_t / c_t, of tRec (rows·T × M) the GRU's h·Wh_h + b_h (before r is applied).
// At small M the padding is skipped where the layout allows: the recurrent products run over k = M
// rows of Wh (not Mp), the gate step over the vectors that hold the M columns (M = 5 in float64:
// 3 vectors of the 4 in Mp = 8; all of them when a tape is kept).
import { gemm64, gemm32 } from './gemm';
import { stepCore64, stepCore32 } from './rnn';

// @ts-ignore: decorator
@inline
function copyRows(dst: usize, dstStride: usize, src: usize, srcStride: usize, rows: i32, bytes: usize): void {
  for (let b = 0; b < rows; b++) memory.copy(dst + <usize>b * dstStride, src + <usize>b * srcStride, bytes);
}

export function block64(kind: i32, rows: i32, T: i32, D: i32, M: i32, mp: i32, back: i32, xb: usize, wx: usize, wh: usize, bin: usize, brec: usize, inMode: i32, recMode: i32, zx: usize, zr: usize, h: usize, c: usize, rh: usize, act: i32, ract: i32, seq: usize, hOut: usize, cOut: usize, tA: usize, aw: i32, tH: usize, tC: usize, tRec: usize): void {
  const g: i32 = kind == 0 ? 1 : kind == 1 ? 4 : 3;
  const gmp = g * mp;
  const hm = <usize>mp << 3;
  const mb = <usize>M << 3;
  const stepKind = kind == 3 ? 3 : kind;
  const recPanels = (kind == 3 ? 2 * mp : gmp) >> 2;
  const whH = wh + <usize>(2 * mp >> 2) * <usize>M * 32;
  const used = (mb + 15) & ~(<usize>15);
  memory.fill(h, 0, <usize>rows * hm);
  memory.fill(c, 0, <usize>rows * hm);
  for (let s = 0; s < T; s++) {
    const t = back ? T - 1 - s : s;
    gemm64(xb + (<usize>(t * D) << 3), T * D, rows, D, wx, gmp >> 2, zx, gmp, inMode, bin);
    gemm64(h, mp, rows, M, wh, recPanels, zr, gmp, recMode, brec);
    const ab = <usize>aw << 3;
    stepCore64(stepKind, zx, zr, h, c, rh, rows, mp, used, act, ract, tA != 0 ? tA + <usize>t * ab : 0, T * aw << 3);
    if (kind == 3) {
      gemm64(rh, mp, rows, M, whH, mp >> 2, zr + (<usize>(2 * mp) << 3), gmp, 0, 0);
      stepCore64(4, zx, zr, h, c, rh, rows, mp, used, act, ract, 0, 0);
    }
    const row = <usize>t * mb;
    const rowStride = <usize>T * mb;
    if (tH != 0) copyRows(tH + row, rowStride, h, hm, rows, mb);
    if (tC != 0) copyRows(tC + row, rowStride, c, hm, rows, mb);
    if (tRec != 0) copyRows(tRec + row, rowStride, zr + (<usize>(2 * mp) << 3), <usize>gmp << 3, rows, mb);
    if (seq != 0) copyRows(seq + <usize>s * mb, <usize>T * mb, h, hm, rows, mb);
  }
  copyRows(hOut, mb, h, hm, rows, mb);
  if (kind == 1) copyRows(cOut, mb, c, hm, rows, mb);
}

export function block32(kind: i32, rows: i32, T: i32, D: i32, M: i32, mp: i32, back: i32, xb: usize, wx: usize, wh: usize, bin: usize, brec: usize, inMode: i32, recMode: i32, zx: usize, zr: usize, h: usize, c: usize, rh: usize, act: i32, ract: i32, seq: usize, hOut: usize, cOut: usize): void {
  const g: i32 = kind == 0 ? 1 : kind == 1 ? 4 : 3;
  const gmp = g * mp;
  const hm = <usize>mp << 2;
  const mb = <usize>M << 2;
  const stepKind = kind == 3 ? 3 : kind;
  const recPanels = (kind == 3 ? 2 * mp : gmp) >> 3;
  const whH = wh + <usize>(2 * mp >> 3) * <usize>M * 32;
  const used = (mb + 15) & ~(<usize>15);
  memory.fill(h, 0, <usize>rows * hm);
  memory.fill(c, 0, <usize>rows * hm);
  for (let s = 0; s < T; s++) {
    const t = back ? T - 1 - s : s;
    gemm32(xb + (<usize>(t * D) << 2), T * D, rows, D, wx, gmp >> 3, zx, gmp, inMode, bin);
    gemm32(h, mp, rows, M, wh, recPanels, zr, gmp, recMode, brec);
    stepCore32(stepKind, zx, zr, h, c, rh, rows, mp, used, act, ract, 0, 0);
    if (kind == 3) {
      gemm32(rh, mp, rows, M, whH, mp >> 3, zr + (<usize>(2 * mp) << 2), gmp, 0, 0);
      stepCore32(4, zx, zr, h, c, rh, rows, mp, used, act, ract, 0, 0);
    }
    if (seq != 0) copyRows(seq + <usize>s * mb, <usize>T * mb, h, hm, rows, mb);
  }
  copyRows(hOut, mb, h, hm, rows, mb);
  if (kind == 1) copyRows(cOut, mb, c, hm, rows, mb);
}
