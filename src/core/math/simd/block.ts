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
// One generic body (T = f64 or f32, resolved at compile time), exported as block64 (with the tape)
// and block32.
import { gemm64, gemm32 } from './gemm';
import { stepCore64, stepCore32 } from './rnn';

// @ts-ignore: decorator
@inline
function copyRows(dst: usize, dstStride: usize, src: usize, srcStride: usize, rows: i32, bytes: usize): void {
  for (let b = 0; b < rows; b++) memory.copy(dst + <usize>b * dstStride, src + <usize>b * srcStride, bytes);
}

// @ts-ignore: decorator
@inline
function gemmT<T>(a: usize, lda: i32, rows: i32, k: i32, bp: usize, np: i32, out: usize, ldo: i32, mode: i32, bias: usize): void {
  if (sizeof<T>() == 8) gemm64(a, lda, rows, k, bp, np, out, ldo, mode, bias);
  else gemm32(a, lda, rows, k, bp, np, out, ldo, mode, bias);
}

// @ts-ignore: decorator
@inline
function stepCoreT<T>(kind: i32, zx: usize, zr: usize, h: usize, c: usize, rh: usize, nb: i32, mp: i32, used: usize, act: i32, ract: i32, tape: usize, tapeStride: i32): void {
  if (sizeof<T>() == 8) stepCore64(kind, zx, zr, h, c, rh, nb, mp, used, act, ract, tape, tapeStride);
  else stepCore32(kind, zx, zr, h, c, rh, nb, mp, used, act, ract, tape, tapeStride);
}

// @ts-ignore: decorator
@inline
function blockT<T>(kind: i32, rows: i32, T_: i32, D: i32, M: i32, mp: i32, back: i32, xb: usize, wx: usize, wh: usize, bin: usize, brec: usize, inMode: i32, recMode: i32, zx: usize, zr: usize, h: usize, c: usize, rh: usize, act: i32, ract: i32, seq: usize, hOut: usize, cOut: usize, tA: usize, aw: i32, tH: usize, tC: usize, tRec: usize): void {
  const sz = <usize>sizeof<T>();
  const pw = <i32>(32 / sz); // panel width: two vectors
  const g: i32 = kind == 0 ? 1 : kind == 1 ? 4 : 3;
  const gmp = g * mp;
  const hm = <usize>mp * sz;
  const mb = <usize>M * sz;
  const stepKind = kind == 3 ? 3 : kind;
  const recPanels = (kind == 3 ? 2 * mp : gmp) / pw;
  const whH = wh + <usize>(2 * mp / pw) * <usize>M * 32;
  const used = (mb + 15) & ~(<usize>15);
  memory.fill(h, 0, <usize>rows * hm);
  memory.fill(c, 0, <usize>rows * hm);
  for (let s = 0; s < T_; s++) {
    const t = back ? T_ - 1 - s : s;
    gemmT<T>(xb + <usize>(t * D) * sz, T_ * D, rows, D, wx, gmp / pw, zx, gmp, inMode, bin);
    gemmT<T>(h, mp, rows, M, wh, recPanels, zr, gmp, recMode, brec);
    const ab = <usize>aw * sz;
    stepCoreT<T>(stepKind, zx, zr, h, c, rh, rows, mp, used, act, ract, tA != 0 ? tA + <usize>t * ab : 0, <i32>(<usize>(T_ * aw) * sz));
    if (kind == 3) {
      gemmT<T>(rh, mp, rows, M, whH, mp / pw, zr + <usize>(2 * mp) * sz, gmp, 0, 0);
      stepCoreT<T>(4, zx, zr, h, c, rh, rows, mp, used, act, ract, 0, 0);
    }
    const row = <usize>t * mb;
    const rowStride = <usize>T_ * mb;
    if (tH != 0) copyRows(tH + row, rowStride, h, hm, rows, mb);
    if (tC != 0) copyRows(tC + row, rowStride, c, hm, rows, mb);
    if (tRec != 0) copyRows(tRec + row, rowStride, zr + <usize>(2 * mp) * sz, <usize>gmp * sz, rows, mb);
    if (seq != 0) copyRows(seq + <usize>s * mb, <usize>T_ * mb, h, hm, rows, mb);
  }
  copyRows(hOut, mb, h, hm, rows, mb);
  if (kind == 1) copyRows(cOut, mb, c, hm, rows, mb);
}

export function block64(kind: i32, rows: i32, T: i32, D: i32, M: i32, mp: i32, back: i32, xb: usize, wx: usize, wh: usize, bin: usize, brec: usize, inMode: i32, recMode: i32, zx: usize, zr: usize, h: usize, c: usize, rh: usize, act: i32, ract: i32, seq: usize, hOut: usize, cOut: usize, tA: usize, aw: i32, tH: usize, tC: usize, tRec: usize): void {
  blockT<f64>(kind, rows, T, D, M, mp, back, xb, wx, wh, bin, brec, inMode, recMode, zx, zr, h, c, rh, act, ract, seq, hOut, cOut, tA, aw, tH, tC, tRec);
}

/** float32: no tape (the backward pass is float64). */
export function block32(kind: i32, rows: i32, T: i32, D: i32, M: i32, mp: i32, back: i32, xb: usize, wx: usize, wh: usize, bin: usize, brec: usize, inMode: i32, recMode: i32, zx: usize, zr: usize, h: usize, c: usize, rh: usize, act: i32, ract: i32, seq: usize, hOut: usize, cOut: usize): void {
  blockT<f32>(kind, rows, T, D, M, mp, back, xb, wx, wh, bin, brec, inMode, recMode, zx, zr, h, c, rh, act, ract, seq, hOut, cOut, 0, 0, 0, 0, 0);
}
