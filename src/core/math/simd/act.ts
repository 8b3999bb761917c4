// AssemblyScript (compiled by asc, not tsc): vectorised activations for the SIMD kernels.
// Clamps use pmin/pmax (one minpd/maxpd each; wasm's min/max add NaN and ±0 handling that costs several instructions): pmin(a, b) = b < a ? b : a, so a NaN in `a` passes through.
// exp by range reduction x = n·ln2 + r, |r| ≤ ln2/2, a Taylor polynomial in r and 2^n built in the
// exponent bits; tanh and sigmoid from exp. Codes (shared with src/core/math/wasm.ts):
//   0 linear, 1 tanh, 2 sigmoid, 3 relu, 4 hard_sigmoid (Keras 3), 5 hard_sigmoid (Keras 1/2), 6 exponential

// ---------------------------------------------------------------------------------- float64

// Constants are read from a data segment (one load each) rather than written as v128 constants:
// V8 rematerialises a v128 constant at every use (2–3 instructions and often a spill), which made
// these loops longer by about half.
const C64: usize = memory.data<f64>([
  -708.0, -708.0, 709.0, 709.0, // 0, 1: clamp of exp's argument
  1.4426950408889634, 1.4426950408889634, // 2: 1/ln2
  6.93147180369123816490e-1, 6.93147180369123816490e-1, // 3: ln2, high part
  1.90821492927058770002e-10, 1.90821492927058770002e-10, // 4: ln2, low part
  1.0, 1.0, // 5
  0.5000000000000002, 0.5000000000000002, // 6: c2
  0.16666666666666596, 0.16666666666666596, // 7: c3
  0.04166666666662146, 0.04166666666662146, // 8: c4
  0.008333333333384698, 0.008333333333384698, // 9: c5
  0.0013888888918072305, 0.0013888888918072305, // 10: c6
  0.00019841269728412546, 0.00019841269728412546, // 11: c7
  2.48015202226411e-05, 2.48015202226411e-05, // 12: c8
  2.7557409725754095e-06, 2.7557409725754095e-06, // 13: c9
  2.762054775512328e-07, 2.762054775512328e-07, // 14: c10
  2.5047197838177637e-08, 2.5047197838177637e-08, // 15: c11
  0.0, 0.0, 0.0, 0.0, // 16, 17: unused
  6755399441055744.0, 6755399441055744.0, // 18: 2^52 + 2^51
  20.0, 20.0, 2.0, 2.0, // 19, 20
], 16);

// @ts-ignore: decorator
@inline
function k64(i: i32): v128 {
  return v128.load(C64 + (<usize>i << 4));
}

/** e^x for x in [−708, 709] (no clamp, no NaN check: the callers do what they need). */
// @ts-ignore: decorator
@inline
function expCore64(c: v128): v128 {
  const n = f64x2.nearest(f64x2.mul(c, k64(2)));
  let r = f64x2.sub(c, f64x2.mul(n, k64(3)));
  r = f64x2.sub(r, f64x2.mul(n, k64(4)));
  // e^r ≈ 1 + r + c2·r² + … + c11·r¹¹ on |r| ≤ ln2/2: Chebyshev-economised coefficients (fitted to the
  // series of (e^r − 1 − r)/r²; relative error ~2e-16, as the degree-13 Taylor polynomial it replaced),
  // by Estrin's scheme (pairs, then r², r⁴, r⁸): a dependency chain of 4 levels instead of 11.
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  const p01 = f64x2.add(k64(5), r);
  const p23 = f64x2.add(k64(6), f64x2.mul(r, k64(7)));
  const p45 = f64x2.add(k64(8), f64x2.mul(r, k64(9)));
  const p67 = f64x2.add(k64(10), f64x2.mul(r, k64(11)));
  const p89 = f64x2.add(k64(12), f64x2.mul(r, k64(13)));
  const pab = f64x2.add(k64(14), f64x2.mul(r, k64(15)));
  const q0 = f64x2.add(p01, f64x2.mul(p23, r2));
  const q1 = f64x2.add(p45, f64x2.mul(p67, r2));
  const q2 = f64x2.add(p89, f64x2.mul(pab, r2));
  const s0 = f64x2.add(q0, f64x2.mul(q1, r4));
  const p = f64x2.add(s0, f64x2.mul(q2, r8));
  // 2^n: n + (2^52 + 2^51) holds n in its low mantissa bits.
  const magic = k64(18);
  const ni = i64x2.sub(f64x2.add(n, magic), magic);
  return i64x2.add(p, i64x2.shl(ni, 52));
}

// @ts-ignore: decorator
@inline
export function exp64(x: v128): v128 {
  const res = expCore64(f64x2.pmin(f64x2.pmax(x, k64(0)), k64(1)));
  // NaN in, NaN out.
  return v128.bitselect(x, res, f64x2.ne(x, x));
}

// @ts-ignore: decorator
@inline
export function tanh64(x: v128): v128 {
  // 2·min(|x|, 20) is in [0, 40]: exp needs no clamp there.
  const a = f64x2.pmin(f64x2.abs(x), k64(19));
  const e = expCore64(f64x2.add(a, a));
  const t = f64x2.sub(k64(5), f64x2.div(k64(20), f64x2.add(e, k64(5))));
  // copysign(t, x); NaN in, NaN out.
  return v128.bitselect(x, v128.or(t, v128.and(x, i64x2.splat(0x8000000000000000))), f64x2.ne(x, x));
}

// @ts-ignore: decorator
@inline
export function sigmoid64(x: v128): v128 {
  const one = k64(5);
  return f64x2.div(one, f64x2.add(one, exp64(f64x2.neg(x))));
}

// @ts-ignore: decorator
@inline
export function act64(code: i32, x: v128): v128 {
  switch (code) {
    case 1: return tanh64(x);
    case 2: return sigmoid64(x);
    case 3: return f64x2.pmax(f64x2.splat(0.0), x);
    case 4: return f64x2.pmin(f64x2.pmax(f64x2.add(f64x2.div(x, f64x2.splat(6.0)), f64x2.splat(0.5)), f64x2.splat(0.0)), f64x2.splat(1.0));
    case 5: return f64x2.pmin(f64x2.pmax(f64x2.add(f64x2.mul(x, f64x2.splat(0.2)), f64x2.splat(0.5)), f64x2.splat(0.0)), f64x2.splat(1.0));
    case 6: return exp64(x);
    default: return x;
  }
}

/** In place: v[0..n) = act(v), n a multiple of 2. */
export function act64n(code: i32, v: usize, n: i32): void {
  let i = 0;
  // Two vectors per iteration: independent chains for the out-of-order core, constants loaded once.
  for (; i + 4 <= n; i += 4) {
    const p = v + (<usize>i << 3);
    const a = act64(code, v128.load(p));
    const b = act64(code, v128.load(p, 16));
    v128.store(p, a);
    v128.store(p, b, 16);
  }
  for (; i < n; i += 2) {
    const p = v + (<usize>i << 3);
    v128.store(p, act64(code, v128.load(p)));
  }
}

// ---------------------------------------------------------------------------------- float32

const C32: usize = memory.data<f32>([
  -87.0, -87.0, -87.0, -87.0, 88.0, 88.0, 88.0, 88.0, // 0, 1: clamp of exp's argument
  1.44269504, 1.44269504, 1.44269504, 1.44269504, // 2: 1/ln2
  0.693359375, 0.693359375, 0.693359375, 0.693359375, // 3: ln2, high part
  -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, // 4: ln2, low part
  1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, // 5, 6
  1.66666667e-1, 1.66666667e-1, 1.66666667e-1, 1.66666667e-1, // 7
  4.16666667e-2, 4.16666667e-2, 4.16666667e-2, 4.16666667e-2, // 8
  8.33333333e-3, 8.33333333e-3, 8.33333333e-3, 8.33333333e-3, // 9
  1.38888889e-3, 1.38888889e-3, 1.38888889e-3, 1.38888889e-3, // 10
  1.98412698e-4, 1.98412698e-4, 1.98412698e-4, 1.98412698e-4, // 11
  12582912.0, 12582912.0, 12582912.0, 12582912.0, // 12: 2^23 + 2^22
  // 13–24: tanh as Eigen (and so TensorFlow's CPU kernels) computes it in float32: clamp to ±7.9053,
  // then x·P(x²)/Q(x²), P odd of degree 13, Q even of degree 6.
  7.90531110763549805, 7.90531110763549805, 7.90531110763549805, 7.90531110763549805, // 13
  -2.76076847742355e-16, -2.76076847742355e-16, -2.76076847742355e-16, -2.76076847742355e-16, // 14: α13
  2.00018790482477e-13, 2.00018790482477e-13, 2.00018790482477e-13, 2.00018790482477e-13, // 15: α11
  -8.60467152213735e-11, -8.60467152213735e-11, -8.60467152213735e-11, -8.60467152213735e-11, // 16: α9
  5.12229709037114e-08, 5.12229709037114e-08, 5.12229709037114e-08, 5.12229709037114e-08, // 17: α7
  1.48572235717979e-05, 1.48572235717979e-05, 1.48572235717979e-05, 1.48572235717979e-05, // 18: α5
  6.37261928875436e-04, 6.37261928875436e-04, 6.37261928875436e-04, 6.37261928875436e-04, // 19: α3
  4.89352455891786e-03, 4.89352455891786e-03, 4.89352455891786e-03, 4.89352455891786e-03, // 20: α1
  1.19825839466702e-06, 1.19825839466702e-06, 1.19825839466702e-06, 1.19825839466702e-06, // 21: β6
  1.18534705686654e-04, 1.18534705686654e-04, 1.18534705686654e-04, 1.18534705686654e-04, // 22: β4
  2.26843463243900e-03, 2.26843463243900e-03, 2.26843463243900e-03, 2.26843463243900e-03, // 23: β2
  4.89352518554385e-03, 4.89352518554385e-03, 4.89352518554385e-03, 4.89352518554385e-03, // 24: β0
], 16);

// @ts-ignore: decorator
@inline
function k32(i: i32): v128 {
  return v128.load(C32 + (<usize>i << 4));
}

// @ts-ignore: decorator
@inline
export function exp32(x: v128): v128 {
  const c = f32x4.pmin(f32x4.pmax(x, k32(0)), k32(1));
  const n = f32x4.nearest(f32x4.mul(c, k32(2)));
  let r = f32x4.sub(c, f32x4.mul(n, k32(3)));
  r = f32x4.sub(r, f32x4.mul(n, k32(4)));
  // Σ r^k/k!, k ≤ 7, by Estrin's scheme (see exp64).
  const r2 = f32x4.mul(r, r);
  const r4 = f32x4.mul(r2, r2);
  const p01 = f32x4.add(k32(5), r);
  const p23 = f32x4.add(k32(6), f32x4.mul(r, k32(7)));
  const p45 = f32x4.add(k32(8), f32x4.mul(r, k32(9)));
  const p67 = f32x4.add(k32(10), f32x4.mul(r, k32(11)));
  const p = f32x4.add(f32x4.add(p01, f32x4.mul(p23, r2)), f32x4.mul(f32x4.add(p45, f32x4.mul(p67, r2)), r4));
  const magic = k32(12);
  const ni = i32x4.sub(f32x4.add(n, magic), magic);
  const res = i32x4.add(p, i32x4.shl(ni, 23));
  return v128.bitselect(x, res, f32x4.ne(x, x));
}

// @ts-ignore: decorator
@inline
export function tanh32(x: v128): v128 {
  // Eigen's rational approximation (about half the operations of 1 − 2/(e^{2x} + 1) with the
  // series near 0 it replaced); NaN passes through the clamp (pmin/pmax keep a NaN first operand).
  const c = f32x4.pmax(f32x4.pmin(x, k32(13)), f32x4.neg(k32(13)));
  const x2 = f32x4.mul(c, c);
  let p = f32x4.add(f32x4.mul(x2, k32(14)), k32(15));
  p = f32x4.add(f32x4.mul(x2, p), k32(16));
  p = f32x4.add(f32x4.mul(x2, p), k32(17));
  p = f32x4.add(f32x4.mul(x2, p), k32(18));
  p = f32x4.add(f32x4.mul(x2, p), k32(19));
  p = f32x4.add(f32x4.mul(x2, p), k32(20));
  let q = f32x4.add(f32x4.mul(x2, k32(21)), k32(22));
  q = f32x4.add(f32x4.mul(x2, q), k32(23));
  q = f32x4.add(f32x4.mul(x2, q), k32(24));
  return f32x4.div(f32x4.mul(c, p), q);
}

// @ts-ignore: decorator
@inline
export function sigmoid32(x: v128): v128 {
  const one = k32(5);
  return f32x4.div(one, f32x4.add(one, exp32(f32x4.neg(x))));
}

// @ts-ignore: decorator
@inline
export function act32(code: i32, x: v128): v128 {
  switch (code) {
    case 1: return tanh32(x);
    case 2: return sigmoid32(x);
    case 3: return f32x4.pmax(f32x4.splat(0.0), x);
    case 4: return f32x4.pmin(f32x4.pmax(f32x4.add(f32x4.div(x, f32x4.splat(6.0)), f32x4.splat(0.5)), f32x4.splat(0.0)), f32x4.splat(1.0));
    case 5: return f32x4.pmin(f32x4.pmax(f32x4.add(f32x4.mul(x, f32x4.splat(0.2)), f32x4.splat(0.5)), f32x4.splat(0.0)), f32x4.splat(1.0));
    case 6: return exp32(x);
    default: return x;
  }
}

/** In place: v[0..n) = act(v), n a multiple of 4. */
export function act32n(code: i32, v: usize, n: i32): void {
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const p = v + (<usize>i << 2);
    const a = act32(code, v128.load(p));
    const b = act32(code, v128.load(p, 16));
    v128.store(p, a);
    v128.store(p, b, 16);
  }
  for (; i < n; i += 4) {
    const p = v + (<usize>i << 2);
    v128.store(p, act32(code, v128.load(p)));
  }
}

/** act64 or act32 by the element type (resolved at compile time): for the generic kernels. */
// @ts-ignore: decorator
@inline
export function actT<T>(code: i32, x: v128): v128 {
  return sizeof<T>() == 8 ? act64(code, x) : act32(code, x);
}
