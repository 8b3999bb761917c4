// AssemblyScript (compiled by asc, not tsc): vectorised activations for the SIMD kernels.
// Clamps use pmin/pmax (one minpd/maxpd each; wasm's min/max add NaN and ±0 handling that costs several instructions): pmin(a, b) = b < a ? b : a, so a NaN in `a` passes through.
// exp by range reduction x = n·ln2 + r, |r| ≤ ln2/2, a Taylor polynomial in r and 2^n built in the
// exponent bits; tanh and sigmoid from exp. Codes (shared with src/core/math/wasm.ts):
//   0 linear, 1 tanh, 2 sigmoid, 3 relu, 4 hard_sigmoid (Keras 3), 5 hard_sigmoid (Keras 1/2), 6 exponential

// ---------------------------------------------------------------------------------- float64

// @ts-ignore: decorator
@inline
export function exp64(x: v128): v128 {
  const c = f64x2.pmin(f64x2.pmax(x, f64x2.splat(-708.0)), f64x2.splat(709.0));
  const n = f64x2.nearest(f64x2.mul(c, f64x2.splat(1.4426950408889634)));
  let r = f64x2.sub(c, f64x2.mul(n, f64x2.splat(6.93147180369123816490e-1)));
  r = f64x2.sub(r, f64x2.mul(n, f64x2.splat(1.90821492927058770002e-10)));
  // Σ r^k/k!, k ≤ 13, by Estrin's scheme (pairs, then r², r⁴, r⁸): a dependency chain of 4 levels
  // instead of Horner's 13, so the out-of-order core overlaps more of it.
  const r2 = f64x2.mul(r, r);
  const r4 = f64x2.mul(r2, r2);
  const r8 = f64x2.mul(r4, r4);
  const p01 = f64x2.add(f64x2.splat(1.0), r);
  const p23 = f64x2.add(f64x2.splat(0.5), f64x2.mul(r, f64x2.splat(1.6666666666666666e-1)));
  const p45 = f64x2.add(f64x2.splat(4.1666666666666664e-2), f64x2.mul(r, f64x2.splat(8.333333333333333e-3)));
  const p67 = f64x2.add(f64x2.splat(1.3888888888888889e-3), f64x2.mul(r, f64x2.splat(1.984126984126984e-4)));
  const p89 = f64x2.add(f64x2.splat(2.48015873015873e-5), f64x2.mul(r, f64x2.splat(2.7557319223985893e-6)));
  const pab = f64x2.add(f64x2.splat(2.755731922398589e-7), f64x2.mul(r, f64x2.splat(2.505210838544172e-8)));
  const pcd = f64x2.add(f64x2.splat(2.08767569878681e-9), f64x2.mul(r, f64x2.splat(1.6059043836821613e-10)));
  const q0 = f64x2.add(p01, f64x2.mul(p23, r2));
  const q1 = f64x2.add(p45, f64x2.mul(p67, r2));
  const q2 = f64x2.add(p89, f64x2.mul(pab, r2));
  const s0 = f64x2.add(q0, f64x2.mul(q1, r4));
  const s1 = f64x2.add(q2, f64x2.mul(pcd, r4));
  const p = f64x2.add(s0, f64x2.mul(s1, r8));
  // 2^n: n + (2^52 + 2^51) holds n in its low mantissa bits.
  const magic = f64x2.splat(6755399441055744.0);
  const ni = i64x2.sub(f64x2.add(n, magic), magic);
  const res = i64x2.add(p, i64x2.shl(ni, 52));
  // NaN in, NaN out.
  return v128.bitselect(x, res, f64x2.ne(x, x));
}

// @ts-ignore: decorator
@inline
export function tanh64(x: v128): v128 {
  const a = f64x2.pmin(f64x2.abs(x), f64x2.splat(20.0));
  const e = exp64(f64x2.add(a, a));
  const t = f64x2.sub(f64x2.splat(1.0), f64x2.div(f64x2.splat(2.0), f64x2.add(e, f64x2.splat(1.0))));
  // copysign(t, x); NaN passes through exp64 and the division.
  return v128.or(t, v128.and(x, i64x2.splat(0x8000000000000000)));
}

// @ts-ignore: decorator
@inline
export function sigmoid64(x: v128): v128 {
  const one = f64x2.splat(1.0);
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
  for (let i = 0; i < n; i += 2) {
    const p = v + (<usize>i << 3);
    v128.store(p, act64(code, v128.load(p)));
  }
}

// ---------------------------------------------------------------------------------- float32

// @ts-ignore: decorator
@inline
export function exp32(x: v128): v128 {
  const c = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87.0)), f32x4.splat(88.0));
  const n = f32x4.nearest(f32x4.mul(c, f32x4.splat(1.44269504)));
  let r = f32x4.sub(c, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  // Σ r^k/k!, k ≤ 7, by Estrin's scheme (see exp64).
  const r2 = f32x4.mul(r, r);
  const r4 = f32x4.mul(r2, r2);
  const p01 = f32x4.add(f32x4.splat(1.0), r);
  const p23 = f32x4.add(f32x4.splat(0.5), f32x4.mul(r, f32x4.splat(1.66666667e-1)));
  const p45 = f32x4.add(f32x4.splat(4.16666667e-2), f32x4.mul(r, f32x4.splat(8.33333333e-3)));
  const p67 = f32x4.add(f32x4.splat(1.38888889e-3), f32x4.mul(r, f32x4.splat(1.98412698e-4)));
  const p = f32x4.add(f32x4.add(p01, f32x4.mul(p23, r2)), f32x4.mul(f32x4.add(p45, f32x4.mul(p67, r2)), r4));
  const magic = f32x4.splat(12582912.0);
  const ni = i32x4.sub(f32x4.add(n, magic), magic);
  const res = i32x4.add(p, i32x4.shl(ni, 23));
  return v128.bitselect(x, res, f32x4.ne(x, x));
}

// @ts-ignore: decorator
@inline
export function tanh32(x: v128): v128 {
  const a = f32x4.pmin(f32x4.abs(x), f32x4.splat(10.0));
  const e = exp32(f32x4.add(a, a));
  const t = f32x4.sub(f32x4.splat(1.0), f32x4.div(f32x4.splat(2.0), f32x4.add(e, f32x4.splat(1.0))));
  // |x| < 0.25: the odd Taylor series to x^9 keeps the relative error at float32 rounding near 0.
  const x2 = f32x4.mul(x, x);
  let q = f32x4.splat(2.18694885e-2);
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(-5.39682540e-2));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(1.33333333e-1));
  q = f32x4.add(f32x4.mul(q, x2), f32x4.splat(-3.33333333e-1));
  const small = f32x4.add(x, f32x4.mul(f32x4.mul(x, x2), q));
  return v128.bitselect(small, v128.or(t, v128.and(x, i32x4.splat(0x80000000))), f32x4.lt(a, f32x4.splat(0.25)));
}

// @ts-ignore: decorator
@inline
export function sigmoid32(x: v128): v128 {
  const one = f32x4.splat(1.0);
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
  for (let i = 0; i < n; i += 4) {
    const p = v + (<usize>i << 2);
    v128.store(p, act32(code, v128.load(p)));
  }
}
