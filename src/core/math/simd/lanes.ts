// AssemblyScript (compiled by asc, not tsc): a block of samples through a recurrent layer of small
// width, with the samples in the SIMD lanes instead of the units.
//
// block.ts puts a row's M units in the lanes; at small M most of every vector is padding (M = 5:
// 6 of 8 float64 lanes used, 5 of 8 float32 lanes) and the products run over k = D or M of 3–8
// rows, where the loop overhead is most of the work. Here a group of samples shares every vector
// (float64: 4 samples in 2 vectors of 2; float32: 8 samples in 2 vectors of 4), each weight is a
// scalar broadcast to the lanes, and every lane computes a real unit of a real sample.
//
// Per step of a group: u = [x_t; h_{t−1}] (K = D + M vectors of the group), every column
// z_j = bias_j + Σ_i u_i·W[i, j] (weights packed by src/core/math/fastRnn.ts: column groups of 4,
// row i of group q at w + (q·K + i)·4·size, then the last C mod 4 columns one after the other, K
// each), then the gate step per unit, which overwrites h in u.
// Columns (C): SimpleRNN h (M); LSTM i f c̃ o (4M); GRU reset_after z r, then the candidate's input
// part x·W_h + b_in,h and its recurrent part h·U_h + b_rec,h (4M; the x rows of the last block and
// the h rows of the one before are zero), so that h̃ = act(zx_h + r ⊙ zr_h) as Keras computes it.
//
//   xb: the block's inputs (rows × T × D, C order; float64 in both kernels); u (K × 2 vectors),
//   z (C × 2 vectors), c (M × 2 vectors): scratch; seq (rows × T × M, processing order, when ≠ 0),
//   hOut and cOut (rows × M): outputs, unpadded, as block.ts writes them. xb has room for `rows` rounded up to
//   a whole group: the lanes past `rows` compute whatever is there (no operation mixes lanes) and
//   are not stored.
//
// One generic body (T = f64 or f32, resolved at compile time: sizeof<T>() picks the activations and
// the lane loads and stores), exported as lanes64 and lanes32.
import { actT } from './act';

// @ts-ignore: decorator
@inline
function gate<T>(kind: i32, zm: usize, mm: usize, hp: usize, cp: usize, act: i32, ract: i32): void {
  if (kind == 0) {
    v128.store(hp, actT<T>(act, v128.load(zm)));
  } else if (kind == 1) {
    const ig = actT<T>(ract, v128.load(zm));
    const fg = actT<T>(ract, v128.load(zm + mm));
    const cc = actT<T>(act, v128.load(zm + 2 * mm));
    const og = actT<T>(ract, v128.load(zm + 3 * mm));
    const cn = v128.add<T>(v128.mul<T>(fg, v128.load(cp)), v128.mul<T>(ig, cc));
    v128.store(cp, cn);
    v128.store(hp, v128.mul<T>(og, actT<T>(act, cn)));
  } else {
    const zg = actT<T>(ract, v128.load(zm));
    const rr = actT<T>(ract, v128.load(zm + mm));
    const hh = actT<T>(act, v128.add<T>(v128.load(zm + 2 * mm), v128.mul<T>(rr, v128.load(zm + 3 * mm))));
    const hv = v128.load(hp);
    v128.store(hp, v128.add<T>(v128.mul<T>(zg, hv), v128.mul<T>(v128.sub<T>(v128.splat<T>(<T>1.0), zg), hh)));
  }
}

/**
 * One vector of the group's x values (float64 in memory): 2 samples from p, p + s for f64; 4 samples
 * from p .. p + 3s for f32, rounded with one SIMD demote (one instruction instead of a converting
 * typed-array copy in JavaScript, which had been a third of a small layer's time).
 */
// @ts-ignore: decorator
@inline
function gather<T>(p: usize, s: usize, o: usize): v128 {
  const lo = v128.load64_lane(p + s + o, v128.load64_splat(p + o), 1);
  if (sizeof<T>() == 8) return lo;
  const hi = v128.load64_lane(p + 3 * s + o, v128.load64_splat(p + 2 * s + o), 1);
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

/** The lanes of a and b (2L samples) to d, d + stride, …: the first n of them. */
// @ts-ignore: decorator
@inline
function scatter<T>(d: usize, stride: usize, a: v128, b: v128, n: i32): void {
  if (sizeof<T>() == 8) {
    v128.store64_lane(d, a, 0);
    if (n > 1) v128.store64_lane(d + stride, a, 1);
    if (n > 2) v128.store64_lane(d + 2 * stride, b, 0);
    if (n > 3) v128.store64_lane(d + 3 * stride, b, 1);
    return;
  }
  if (n >= 8) {
    v128.store32_lane(d, a, 0);
    v128.store32_lane(d + stride, a, 1);
    v128.store32_lane(d + 2 * stride, a, 2);
    v128.store32_lane(d + 3 * stride, a, 3);
    v128.store32_lane(d + 4 * stride, b, 0);
    v128.store32_lane(d + 5 * stride, b, 1);
    v128.store32_lane(d + 6 * stride, b, 2);
    v128.store32_lane(d + 7 * stride, b, 3);
    return;
  }
  for (let l = 0; l < n; l++) {
    const v = l < 4 ? a : b;
    const k = l & 3;
    const x = k == 0 ? f32x4.extract_lane(v, 0) : k == 1 ? f32x4.extract_lane(v, 1) : k == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
    store<f32>(d + <usize>l * stride, x);
  }
}

// @ts-ignore: decorator
@inline
function lanesT<T>(kind: i32, rows: i32, T_: i32, D: i32, M: i32, back: i32, xb: usize, w: usize, bias: usize, C: i32, u: usize, z: usize, c: usize, act: i32, ract: i32, seq: usize, hOut: usize, cOut: usize): void {
  const sz = <usize>sizeof<T>();
  const L = <i32>(16 / sz); // lanes per vector; a group is 2L samples in two vectors
  const K = D + M;
  const xs = <usize>(T_ * D) << 3; // xb is float64
  const groups = C >> 2;
  const wq = <usize>K * 4 * sz;
  const mm = <usize>M << 5;
  const hu = u + (<usize>D << 5);
  const seqRow = <usize>(T_ * M) * sz;
  const mb = <usize>M * sz;
  for (let b0 = 0; b0 < rows; b0 += 2 * L) {
    const n = min(2 * L, rows - b0);
    const pa = xb + <usize>b0 * xs;
    const pb = pa + <usize>L * xs;
    memory.fill(hu, 0, mm);
    memory.fill(c, 0, mm);
    for (let s = 0; s < T_; s++) {
      const t = back ? T_ - 1 - s : s;
      const xo = <usize>(t * D) << 3;
      for (let i = 0; i < D; i++) {
        const o = xo + (<usize>i << 3);
        const ui = u + (<usize>i << 5);
        v128.store(ui, gather<T>(pa, xs, o));
        v128.store(ui, gather<T>(pb, xs, o), 16);
      }
      for (let q = 0; q < groups; q++) {
        const bq = bias + <usize>q * 4 * sz;
        let a0 = v128.load_splat<T>(bq), a1 = v128.load_splat<T>(bq + sz), a2 = v128.load_splat<T>(bq + 2 * sz), a3 = v128.load_splat<T>(bq + 3 * sz);
        let e0 = a0, e1 = a1, e2 = a2, e3 = a3;
        let wp = w + <usize>q * wq;
        let up = u;
        for (let i = 0; i < K; i++) {
          const x0 = v128.load(up);
          const x1 = v128.load(up, 16);
          up += 32;
          let wv = v128.load_splat<T>(wp);
          a0 = v128.add<T>(a0, v128.mul<T>(x0, wv));
          e0 = v128.add<T>(e0, v128.mul<T>(x1, wv));
          wv = v128.load_splat<T>(wp + sz);
          a1 = v128.add<T>(a1, v128.mul<T>(x0, wv));
          e1 = v128.add<T>(e1, v128.mul<T>(x1, wv));
          wv = v128.load_splat<T>(wp + 2 * sz);
          a2 = v128.add<T>(a2, v128.mul<T>(x0, wv));
          e2 = v128.add<T>(e2, v128.mul<T>(x1, wv));
          wv = v128.load_splat<T>(wp + 3 * sz);
          a3 = v128.add<T>(a3, v128.mul<T>(x0, wv));
          e3 = v128.add<T>(e3, v128.mul<T>(x1, wv));
          wp += 4 * sz;
        }
        const zq = z + (<usize>q << 7);
        v128.store(zq, a0);
        v128.store(zq, e0, 16);
        v128.store(zq, a1, 32);
        v128.store(zq, e1, 48);
        v128.store(zq, a2, 64);
        v128.store(zq, e2, 80);
        v128.store(zq, a3, 96);
        v128.store(zq, e3, 112);
      }
      // The last C mod 4 columns one at a time (their weights contiguous, K each).
      for (let j = groups << 2; j < C; j++) {
        let a0 = v128.load_splat<T>(bias + <usize>j * sz);
        let e0 = a0;
        let wp = w + <usize>groups * wq + <usize>(j - (groups << 2)) * <usize>K * sz;
        let up = u;
        for (let i = 0; i < K; i++) {
          const wv = v128.load_splat<T>(wp);
          a0 = v128.add<T>(a0, v128.mul<T>(v128.load(up), wv));
          e0 = v128.add<T>(e0, v128.mul<T>(v128.load(up, 16), wv));
          up += 32;
          wp += sz;
        }
        const zj = z + (<usize>j << 5);
        v128.store(zj, a0);
        v128.store(zj, e0, 16);
      }
      for (let m = 0; m < M; m++) {
        const zm = z + (<usize>m << 5);
        const hp = hu + (<usize>m << 5);
        const cp = c + (<usize>m << 5);
        // The group's two vectors: independent chains for the out-of-order core.
        gate<T>(kind, zm, mm, hp, cp, act, ract);
        gate<T>(kind, zm + 16, mm, hp + 16, cp + 16, act, ract);
      }
      if (seq != 0) {
        const so = seq + <usize>b0 * seqRow + <usize>(s * M) * sz;
        for (let m = 0; m < M; m++) {
          const hp = hu + (<usize>m << 5);
          scatter<T>(so + <usize>m * sz, seqRow, v128.load(hp), v128.load(hp, 16), n);
        }
      }
    }
    for (let m = 0; m < M; m++) {
      const hp = hu + (<usize>m << 5);
      scatter<T>(hOut + <usize>b0 * mb + <usize>m * sz, mb, v128.load(hp), v128.load(hp, 16), n);
      if (kind == 1) {
        const cp = c + (<usize>m << 5);
        scatter<T>(cOut + <usize>b0 * mb + <usize>m * sz, mb, v128.load(cp), v128.load(cp, 16), n);
      }
    }
  }
}

export function lanes64(kind: i32, rows: i32, T: i32, D: i32, M: i32, back: i32, xb: usize, w: usize, bias: usize, C: i32, u: usize, z: usize, c: usize, act: i32, ract: i32, seq: usize, hOut: usize, cOut: usize): void {
  lanesT<f64>(kind, rows, T, D, M, back, xb, w, bias, C, u, z, c, act, ract, seq, hOut, cOut);
}

export function lanes32(kind: i32, rows: i32, T: i32, D: i32, M: i32, back: i32, xb: usize, w: usize, bias: usize, C: i32, u: usize, z: usize, c: usize, act: i32, ract: i32, seq: usize, hOut: usize, cOut: usize): void {
  lanesT<f32>(kind, rows, T, D, M, back, xb, w, bias, C, u, z, c, act, ract, seq, hOut, cOut);
}
