// AssemblyScript (compiled by asc, not tsc): one time step of the recurrent cells after the two
// products zx = x_t·Wx + b_in and zr = h_{t-1}·Wh + b_rec (rows of ld = G·Mp, gate blocks of Mp).
// Mp is M padded to the panel width (padding columns carry zero weights and stay inert).
// kind: 0 SimpleRNN, 1 LSTM (i f c o), 2 GRU reset_after (z r h),
//       3 GRU reset-before phase 1: z → zx[z], r ⊙ h → rh; the caller then puts (r ⊙ h)·Wh_h in zr[h]
//       4 GRU reset-before phase 2.
// h (nb × Mp) is updated in place; c (LSTM) too. When seq ≠ 0, each new h row is also copied to
// seq + b·seqStride (bytes). When tape ≠ 0 (kinds 1, 2: the backward pass), row b's gate
// activations (G·Mp: LSTM i f c̃ o, GRU z r h̃) and, LSTM, act(c_t) (Mp) go to tape + b·tapeStride.
// All pointers are byte offsets.
// One generic body (T = f64 or f32, resolved at compile time), exported as step64 / step32 and,
// for block.ts, stepCore64 / stepCore32.
import { actT } from './act';

// @ts-ignore: decorator
@inline
function cell<T>(kind: i32, x: usize, r: usize, hb: usize, cb: usize, rb: usize, j: usize, hm: usize, act: i32, ract: i32, tp: usize): void {
  const one = v128.splat<T>(<T>1.0);
  if (kind == 0) {
    v128.store(hb + j, actT<T>(act, v128.add<T>(v128.load(x + j), v128.load(r + j))));
  } else if (kind == 1) {
    const ig = actT<T>(ract, v128.add<T>(v128.load(x + j), v128.load(r + j)));
    const fg = actT<T>(ract, v128.add<T>(v128.load(x + hm + j), v128.load(r + hm + j)));
    const cc = actT<T>(act, v128.add<T>(v128.load(x + 2 * hm + j), v128.load(r + 2 * hm + j)));
    const og = actT<T>(ract, v128.add<T>(v128.load(x + 3 * hm + j), v128.load(r + 3 * hm + j)));
    const cp = cb + j;
    const cn = v128.add<T>(v128.mul<T>(fg, v128.load(cp)), v128.mul<T>(ig, cc));
    v128.store(cp, cn);
    const tcn = actT<T>(act, cn);
    v128.store(hb + j, v128.mul<T>(og, tcn));
    if (tp != 0) {
      v128.store(tp + j, ig);
      v128.store(tp + hm + j, fg);
      v128.store(tp + 2 * hm + j, cc);
      v128.store(tp + 3 * hm + j, og);
      v128.store(tp + 4 * hm + j, tcn);
    }
  } else if (kind == 2) {
    const z = actT<T>(ract, v128.add<T>(v128.load(x + j), v128.load(r + j)));
    const rr = actT<T>(ract, v128.add<T>(v128.load(x + hm + j), v128.load(r + hm + j)));
    const hh = actT<T>(act, v128.add<T>(v128.load(x + 2 * hm + j), v128.mul<T>(rr, v128.load(r + 2 * hm + j))));
    const hp = v128.load(hb + j);
    v128.store(hb + j, v128.add<T>(v128.mul<T>(z, hp), v128.mul<T>(v128.sub<T>(one, z), hh)));
    if (tp != 0) {
      v128.store(tp + j, z);
      v128.store(tp + hm + j, rr);
      v128.store(tp + 2 * hm + j, hh);
    }
  } else if (kind == 3) {
    const z = actT<T>(ract, v128.add<T>(v128.load(x + j), v128.load(r + j)));
    const rr = actT<T>(ract, v128.add<T>(v128.load(x + hm + j), v128.load(r + hm + j)));
    v128.store(x + j, z);
    v128.store(rb + j, v128.mul<T>(rr, v128.load(hb + j)));
  } else {
    const z = v128.load(x + j);
    const hh = actT<T>(act, v128.add<T>(v128.load(x + 2 * hm + j), v128.load(r + 2 * hm + j)));
    const hp = v128.load(hb + j);
    v128.store(hb + j, v128.add<T>(v128.mul<T>(z, hp), v128.mul<T>(v128.sub<T>(one, z), hh)));
  }
}

/**
 * The gate step on the first `used` bytes of each row's Mp columns (a multiple of 16; vectors past
 * M stay untouched: their h and c are zero and, with zero weights, would stay zero). With a tape,
 * all of Mp (the backward pass reads whole gate blocks).
 */
// @ts-ignore: decorator
@inline
function stepCoreT<T>(kind: i32, zx: usize, zr: usize, h: usize, c: usize, rh: usize, nb: i32, mp: i32, used: usize, act: i32, ract: i32, tape: usize, tapeStride: i32): void {
  const sz = <usize>sizeof<T>();
  const g: i32 = kind == 0 ? 1 : kind == 1 ? 4 : 3;
  const ld = <usize>(g * mp) * sz;
  const hm = <usize>mp * sz;
  const u = tape != 0 ? hm : used;
  const pairs = u & ~(<usize>31);
  for (let b = 0; b < nb; b++) {
    const x = zx + <usize>b * ld;
    const r = zr + <usize>b * ld;
    const hb = h + <usize>b * hm;
    const cb = c + <usize>b * hm;
    const rb = rh + <usize>b * hm;
    const tp = tape != 0 ? tape + <usize>b * <usize>tapeStride : 0;
    // Two cells per iteration: independent chains for the out-of-order core.
    let j: usize = 0;
    for (; j < pairs; j += 32) {
      cell<T>(kind, x, r, hb, cb, rb, j, hm, act, ract, tp);
      cell<T>(kind, x, r, hb, cb, rb, j + 16, hm, act, ract, tp);
    }
    if (j < u) cell<T>(kind, x, r, hb, cb, rb, j, hm, act, ract, tp);
  }
}

export function stepCore64(kind: i32, zx: usize, zr: usize, h: usize, c: usize, rh: usize, nb: i32, mp: i32, used: usize, act: i32, ract: i32, tape: usize, tapeStride: i32): void {
  stepCoreT<f64>(kind, zx, zr, h, c, rh, nb, mp, used, act, ract, tape, tapeStride);
}

export function stepCore32(kind: i32, zx: usize, zr: usize, h: usize, c: usize, rh: usize, nb: i32, mp: i32, used: usize, act: i32, ract: i32, tape: usize, tapeStride: i32): void {
  stepCoreT<f32>(kind, zx, zr, h, c, rh, nb, mp, used, act, ract, tape, tapeStride);
}

// @ts-ignore: decorator
@inline
function stepT<T>(kind: i32, zx: usize, zr: usize, h: usize, c: usize, rh: usize, nb: i32, mp: i32, act: i32, ract: i32, seq: usize, seqStride: i32, tape: usize, tapeStride: i32): void {
  const hm = <usize>mp * <usize>sizeof<T>();
  // The exported step cores, called rather than inlined a second time.
  if (sizeof<T>() == 8) stepCore64(kind, zx, zr, h, c, rh, nb, mp, hm, act, ract, tape, tapeStride);
  else stepCore32(kind, zx, zr, h, c, rh, nb, mp, hm, act, ract, tape, tapeStride);
  if (seq != 0 && kind != 3) for (let b = 0; b < nb; b++) memory.copy(seq + <usize>b * <usize>seqStride, h + <usize>b * hm, hm);
}

export function step64(kind: i32, zx: usize, zr: usize, h: usize, c: usize, rh: usize, nb: i32, mp: i32, act: i32, ract: i32, seq: usize, seqStride: i32, tape: usize, tapeStride: i32): void {
  stepT<f64>(kind, zx, zr, h, c, rh, nb, mp, act, ract, seq, seqStride, tape, tapeStride);
}

export function step32(kind: i32, zx: usize, zr: usize, h: usize, c: usize, rh: usize, nb: i32, mp: i32, act: i32, ract: i32, seq: usize, seqStride: i32, tape: usize, tapeStride: i32): void {
  stepT<f32>(kind, zx, zr, h, c, rh, nb, mp, act, ract, seq, seqStride, tape, tapeStride);
}
