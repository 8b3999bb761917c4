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
//   xb: the block's inputs (rows × T × D, C order; float64 in both kernels); u (K × 2 vectors), z (C × 2 vectors), c (M × 2 vectors): scratch; seq (rows × T × M, processing order, when ≠ 0), hOut and
//   cOut (rows × M): outputs, unpadded, as block.ts writes them. xb has room for `rows` rounded up to
//   a whole group: the lanes past `rows` compute whatever is there (no operation mixes lanes) and
//   are not stored.
import { act64, act32 } from './act';

// ---------------------------------------------------------------------------------- float64

// @ts-ignore: decorator
@inline
function gate64(kind: i32, zm: usize, mm: usize, hp: usize, cp: usize, act: i32, ract: i32): void {
  if (kind == 0) {
    v128.store(hp, act64(act, v128.load(zm)));
  } else if (kind == 1) {
    const ig = act64(ract, v128.load(zm));
    const fg = act64(ract, v128.load(zm + mm));
    const cc = act64(act, v128.load(zm + 2 * mm));
    const og = act64(ract, v128.load(zm + 3 * mm));
    const cn = f64x2.add(f64x2.mul(fg, v128.load(cp)), f64x2.mul(ig, cc));
    v128.store(cp, cn);
    v128.store(hp, f64x2.mul(og, act64(act, cn)));
  } else {
    const zg = act64(ract, v128.load(zm));
    const rr = act64(ract, v128.load(zm + mm));
    const hh = act64(act, f64x2.add(v128.load(zm + 2 * mm), f64x2.mul(rr, v128.load(zm + 3 * mm))));
    const hv = v128.load(hp);
    v128.store(hp, f64x2.add(f64x2.mul(zg, hv), f64x2.mul(f64x2.sub(f64x2.splat(1.0), zg), hh)));
  }
}

export function lanes64(kind: i32, rows: i32, T: i32, D: i32, M: i32, back: i32, xb: usize, w: usize, bias: usize, C: i32, u: usize, z: usize, c: usize, act: i32, ract: i32, seq: usize, hOut: usize, cOut: usize): void {
  const K = D + M;
  const xs = <usize>(T * D) << 3;
  const groups = C >> 2;
  const wq = <usize>K << 5;
  const mm = <usize>M << 5;
  const hu = u + (<usize>D << 5);
  const seqRow = <usize>(T * M) << 3;
  for (let b0 = 0; b0 < rows; b0 += 4) {
    const n = min(4, rows - b0);
    const p0 = xb + <usize>b0 * xs;
    const p1 = p0 + xs;
    const p2 = p1 + xs;
    const p3 = p2 + xs;
    memory.fill(hu, 0, mm);
    memory.fill(c, 0, mm);
    for (let s = 0; s < T; s++) {
      const t = back ? T - 1 - s : s;
      const xo = <usize>(t * D) << 3;
      for (let i = 0; i < D; i++) {
        const o = xo + (<usize>i << 3);
        const ui = u + (<usize>i << 5);
        v128.store(ui, v128.load64_lane(p1 + o, v128.load64_splat(p0 + o), 1));
        v128.store(ui, v128.load64_lane(p3 + o, v128.load64_splat(p2 + o), 1), 16);
      }
      for (let q = 0; q < groups; q++) {
        const bq = bias + (<usize>q << 5);
        let a0 = v128.load64_splat(bq), a1 = v128.load64_splat(bq, 8), a2 = v128.load64_splat(bq, 16), a3 = v128.load64_splat(bq, 24);
        let e0 = a0, e1 = a1, e2 = a2, e3 = a3;
        let wp = w + <usize>q * wq;
        let up = u;
        for (let i = 0; i < K; i++) {
          const x0 = v128.load(up);
          const x1 = v128.load(up, 16);
          up += 32;
          let wv = v128.load64_splat(wp);
          a0 = f64x2.add(a0, f64x2.mul(x0, wv));
          e0 = f64x2.add(e0, f64x2.mul(x1, wv));
          wv = v128.load64_splat(wp, 8);
          a1 = f64x2.add(a1, f64x2.mul(x0, wv));
          e1 = f64x2.add(e1, f64x2.mul(x1, wv));
          wv = v128.load64_splat(wp, 16);
          a2 = f64x2.add(a2, f64x2.mul(x0, wv));
          e2 = f64x2.add(e2, f64x2.mul(x1, wv));
          wv = v128.load64_splat(wp, 24);
          a3 = f64x2.add(a3, f64x2.mul(x0, wv));
          e3 = f64x2.add(e3, f64x2.mul(x1, wv));
          wp += 32;
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
        let a0 = v128.load64_splat(bias + (<usize>j << 3));
        let e0 = a0;
        let wp = w + <usize>groups * wq + <usize>(j - (groups << 2)) * (<usize>K << 3);
        let up = u;
        for (let i = 0; i < K; i++) {
          const wv = v128.load64_splat(wp);
          a0 = f64x2.add(a0, f64x2.mul(v128.load(up), wv));
          e0 = f64x2.add(e0, f64x2.mul(v128.load(up, 16), wv));
          up += 32;
          wp += 8;
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
        gate64(kind, zm, mm, hp, cp, act, ract);
        gate64(kind, zm + 16, mm, hp + 16, cp + 16, act, ract);
      }
      if (seq != 0) {
        const so = seq + <usize>b0 * seqRow + (<usize>(s * M) << 3);
        for (let m = 0; m < M; m++) {
          const hp = hu + (<usize>m << 5);
          const a = v128.load(hp);
          const b = v128.load(hp, 16);
          const d = so + (<usize>m << 3);
          v128.store64_lane(d, a, 0);
          if (n > 1) v128.store64_lane(d + seqRow, a, 1);
          if (n > 2) v128.store64_lane(d + 2 * seqRow, b, 0);
          if (n > 3) v128.store64_lane(d + 3 * seqRow, b, 1);
        }
      }
    }
    const mb = <usize>M << 3;
    for (let m = 0; m < M; m++) {
      const hp = hu + (<usize>m << 5);
      const d = hOut + <usize>b0 * mb + (<usize>m << 3);
      const a = v128.load(hp);
      const b = v128.load(hp, 16);
      v128.store64_lane(d, a, 0);
      if (n > 1) v128.store64_lane(d + mb, a, 1);
      if (n > 2) v128.store64_lane(d + 2 * mb, b, 0);
      if (n > 3) v128.store64_lane(d + 3 * mb, b, 1);
      if (kind == 1) {
        const cp = c + (<usize>m << 5);
        const ca = v128.load(cp);
        const cb = v128.load(cp, 16);
        const dc = cOut + <usize>b0 * mb + (<usize>m << 3);
        v128.store64_lane(dc, ca, 0);
        if (n > 1) v128.store64_lane(dc + mb, ca, 1);
        if (n > 2) v128.store64_lane(dc + 2 * mb, cb, 0);
        if (n > 3) v128.store64_lane(dc + 3 * mb, cb, 1);
      }
    }
  }
}

// ---------------------------------------------------------------------------------- float32

// @ts-ignore: decorator
@inline
function gate32(kind: i32, zm: usize, mm: usize, hp: usize, cp: usize, act: i32, ract: i32): void {
  if (kind == 0) {
    v128.store(hp, act32(act, v128.load(zm)));
  } else if (kind == 1) {
    const ig = act32(ract, v128.load(zm));
    const fg = act32(ract, v128.load(zm + mm));
    const cc = act32(act, v128.load(zm + 2 * mm));
    const og = act32(ract, v128.load(zm + 3 * mm));
    const cn = f32x4.add(f32x4.mul(fg, v128.load(cp)), f32x4.mul(ig, cc));
    v128.store(cp, cn);
    v128.store(hp, f32x4.mul(og, act32(act, cn)));
  } else {
    const zg = act32(ract, v128.load(zm));
    const rr = act32(ract, v128.load(zm + mm));
    const hh = act32(act, f32x4.add(v128.load(zm + 2 * mm), f32x4.mul(rr, v128.load(zm + 3 * mm))));
    const hv = v128.load(hp);
    v128.store(hp, f32x4.add(f32x4.mul(zg, hv), f32x4.mul(f32x4.sub(f32x4.splat(1.0), zg), hh)));
  }
}

// Four samples' x values, read in float64 (the caller's inputs, copied as they are) and rounded
// to float32 here: one SIMD demote instead of a converting typed-array copy in JavaScript, which
// was a third of a small layer's time.
// @ts-ignore: decorator
@inline
function gather32(p: usize, s: usize, o: usize): v128 {
  const lo = v128.load64_lane(p + s + o, v128.load64_splat(p + o), 1);
  const hi = v128.load64_lane(p + 3 * s + o, v128.load64_splat(p + 2 * s + o), 1);
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

// @ts-ignore: decorator
@inline
function scatter32(d: usize, stride: usize, a: v128, b: v128, n: i32): void {
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

export function lanes32(kind: i32, rows: i32, T: i32, D: i32, M: i32, back: i32, xb: usize, w: usize, bias: usize, C: i32, u: usize, z: usize, c: usize, act: i32, ract: i32, seq: usize, hOut: usize, cOut: usize): void {
  const K = D + M;
  const xs = <usize>(T * D) << 3; // xb in float64
  const groups = C >> 2;
  const wq = <usize>K << 4;
  const mm = <usize>M << 5;
  const hu = u + (<usize>D << 5);
  const seqRow = <usize>(T * M) << 2;
  const mb = <usize>M << 2;
  for (let b0 = 0; b0 < rows; b0 += 8) {
    const n = min(8, rows - b0);
    const pa = xb + <usize>b0 * xs;
    const pb = pa + 4 * xs;
    memory.fill(hu, 0, mm);
    memory.fill(c, 0, mm);
    for (let s = 0; s < T; s++) {
      const t = back ? T - 1 - s : s;
      const xo = <usize>(t * D) << 3;
      for (let i = 0; i < D; i++) {
        const o = xo + (<usize>i << 3);
        const ui = u + (<usize>i << 5);
        v128.store(ui, gather32(pa, xs, o));
        v128.store(ui, gather32(pb, xs, o), 16);
      }
      for (let q = 0; q < groups; q++) {
        const bq = bias + (<usize>q << 4);
        let a0 = v128.load32_splat(bq), a1 = v128.load32_splat(bq, 4), a2 = v128.load32_splat(bq, 8), a3 = v128.load32_splat(bq, 12);
        let e0 = a0, e1 = a1, e2 = a2, e3 = a3;
        let wp = w + <usize>q * wq;
        let up = u;
        for (let i = 0; i < K; i++) {
          const x0 = v128.load(up);
          const x1 = v128.load(up, 16);
          up += 32;
          let wv = v128.load32_splat(wp);
          a0 = f32x4.add(a0, f32x4.mul(x0, wv));
          e0 = f32x4.add(e0, f32x4.mul(x1, wv));
          wv = v128.load32_splat(wp, 4);
          a1 = f32x4.add(a1, f32x4.mul(x0, wv));
          e1 = f32x4.add(e1, f32x4.mul(x1, wv));
          wv = v128.load32_splat(wp, 8);
          a2 = f32x4.add(a2, f32x4.mul(x0, wv));
          e2 = f32x4.add(e2, f32x4.mul(x1, wv));
          wv = v128.load32_splat(wp, 12);
          a3 = f32x4.add(a3, f32x4.mul(x0, wv));
          e3 = f32x4.add(e3, f32x4.mul(x1, wv));
          wp += 16;
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
        let a0 = v128.load32_splat(bias + (<usize>j << 2));
        let e0 = a0;
        let wp = w + <usize>groups * wq + <usize>(j - (groups << 2)) * (<usize>K << 2);
        let up = u;
        for (let i = 0; i < K; i++) {
          const wv = v128.load32_splat(wp);
          a0 = f32x4.add(a0, f32x4.mul(v128.load(up), wv));
          e0 = f32x4.add(e0, f32x4.mul(v128.load(up, 16), wv));
          up += 32;
          wp += 4;
        }
        const zj = z + (<usize>j << 5);
        v128.store(zj, a0);
        v128.store(zj, e0, 16);
      }
      for (let m = 0; m < M; m++) {
        const zm = z + (<usize>m << 5);
        const hp = hu + (<usize>m << 5);
        const cp = c + (<usize>m << 5);
        gate32(kind, zm, mm, hp, cp, act, ract);
        gate32(kind, zm + 16, mm, hp + 16, cp + 16, act, ract);
      }
      if (seq != 0) {
        const so = seq + <usize>b0 * seqRow + (<usize>(s * M) << 2);
        for (let m = 0; m < M; m++) {
          const hp = hu + (<usize>m << 5);
          scatter32(so + (<usize>m << 2), seqRow, v128.load(hp), v128.load(hp, 16), n);
        }
      }
    }
    for (let m = 0; m < M; m++) {
      const hp = hu + (<usize>m << 5);
      scatter32(hOut + <usize>b0 * mb + (<usize>m << 2), mb, v128.load(hp), v128.load(hp, 16), n);
      if (kind == 1) {
        const cp = c + (<usize>m << 5);
        scatter32(cOut + <usize>b0 * mb + (<usize>m << 2), mb, v128.load(cp), v128.load(cp, 16), n);
      }
    }
  }
}
