/**
 * A correctly rounded natural logarithm, for reproducing NumPy's Gaussian draws.
 *
 * Why: NumPy's legacy `standard_normal()` calls the C library's `log()`. V8's Math.log is an
 * fdlibm port with errors up to ~1 ulp: on 2e6 uniform inputs in (0, 1) it disagreed with
 * glibc 2.36's log on 7.3% of them, which changed ~3% of `randn` values in the last bits. glibc's
 * log (max error 0.52 ulp) is correctly rounded on all but ~0.08% of such inputs, so a correctly
 * rounded log agrees with it far more often; the rest can't be matched without glibc's own
 * algorithm and tables (see test/core/numpyRandom.test.ts for how the tests treat those draws).
 *
 * How: the logarithm is evaluated in double-double arithmetic (~2^-100 relative error) and the
 * sum rounded once to a double, so the result is the correctly rounded log(x) except when log(x)
 * lies within ~2^-47 ulp of a rounding boundary (vanishingly rare). A cheaper evaluation (error
 * < 2^-66) answers first whenever its error bound cannot change the rounding.
 *
 *   x = 2^k · m,  m ∈ (0.707, 1.414]
 *   m = c · (1+s)/(1-s),  c = j/128 the nearest multiple of 1/128,  s = (m-c)/(m+c), |s| < 2^-8.4
 *   log x = k·ln2 + log c + 2·atanh(s),  atanh(s) = s + s³/3 + s⁵/5 + …
 * ln2 and the 92 values of log c are computed once, at load, from the same atanh series.
 *
 * Written for this project; no table was copied from any libm.
 */

// ---- double-double arithmetic ------------------------------------------------------------------
// A double-double is an unevaluated sum hi + lo with |lo| <= ulp(hi)/2. The helpers below leave
// their result in (RH, RL) so the hot path allocates nothing.
let RH = 0;
let RL = 0;

/** Knuth's error-free sum: RH + RL = a + b exactly. */
function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  RH = s;
  RL = a - (s - bb) + (b - bb);
}

/** Error-free sum when |a| >= |b| (or a == 0). */
function fastTwoSum(a: number, b: number): void {
  const s = a + b;
  RH = s;
  RL = b - (s - a);
}

const SPLITTER = 134217729; // 2^27 + 1: Dekker's split into two 26-bit halves

/** Dekker's error-free product: RH + RL = a · b exactly (no FMA in JavaScript). */
function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  RH = p;
  RL = ah * bh - p + ah * bl + al * bh + al * bl;
}

function ddAdd(ah: number, al: number, bh: number, bl: number): void {
  twoSum(ah, bh);
  const sh = RH;
  const sl = RL;
  twoSum(al, bl);
  const th = RH;
  const tl = RL;
  fastTwoSum(sh, sl + th);
  fastTwoSum(RH, RL + tl);
}

function ddMul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  fastTwoSum(RH, RL + (ah * bl + al * bh));
}

function ddDiv(ah: number, al: number, bh: number, bl: number): void {
  // Long division: three quotient digits, each correcting the remainder of the previous.
  const q1 = ah / bh;
  ddMul(q1, 0, bh, bl);
  ddAdd(ah, al, -RH, -RL);
  const q2 = RH / bh;
  const r1h = RH;
  const r1l = RL;
  ddMul(q2, 0, bh, bl);
  ddAdd(r1h, r1l, -RH, -RL);
  const q3 = RH / bh;
  fastTwoSum(q1, q2);
  ddAdd(RH, RL, q3, 0);
}

// ---- the atanh series ---------------------------------------------------------------------------

/** 1/(2n+1) as double-doubles, n = 0 … terms-1. */
const INV_ODD: Float64Array = (() => {
  const t = new Float64Array(2 * 48);
  for (let n = 0; n < 48; n++) {
    ddDiv(1, 0, 2 * n + 1, 0);
    t[2 * n] = RH;
    t[2 * n + 1] = RL;
  }
  return t;
})();

/**
 * 2·atanh(s) = log((1+s)/(1-s)) for a double-double s, with `terms` terms of the series
 * (2s·Σ s^{2n}/(2n+1), n < terms), evaluated by Horner's rule in double-double.
 */
function twoAtanh(sh: number, sl: number, terms: number): void {
  ddMul(sh, sl, sh, sl);
  const th = RH;
  const tl = RL;
  let ph = INV_ODD[2 * (terms - 1)];
  let pl = INV_ODD[2 * (terms - 1) + 1];
  for (let n = terms - 2; n >= 0; n--) {
    ddMul(ph, pl, th, tl);
    ddAdd(RH, RL, INV_ODD[2 * n], INV_ODD[2 * n + 1]);
    ph = RH;
    pl = RL;
  }
  ddMul(ph, pl, sh, sl);
  RH *= 2;
  RL *= 2;
}

// ln 2 = 2·atanh(1/3); |s|² = 1/9, so 40 terms reach 9^-40 ≈ 2^-127.
const [LN2_HI, LN2_LO] = (() => {
  ddDiv(1, 0, 3, 0);
  twoAtanh(RH, RL, 40);
  return [RH, RL];
})();

const J_MIN = 90; // c = j/128 for j in 90 … 181 covers m ∈ (0.707, 1.414]
const J_MAX = 181;

/** log(j/128) for j = J_MIN … J_MAX as double-doubles; |s| <= 0.17 so 32 terms reach 2^-160. */
const LOG_C: Float64Array = (() => {
  const t = new Float64Array(2 * (J_MAX - J_MIN + 1));
  for (let j = J_MIN; j <= J_MAX; j++) {
    // s = (c - 1)/(c + 1) = (j - 128)/(j + 128), exact integers on both sides.
    ddDiv(j - 128, 0, j + 128, 0);
    twoAtanh(RH, RL, 32);
    t[2 * (j - J_MIN)] = RH;
    t[2 * (j - J_MIN) + 1] = RL;
  }
  return t;
})();

// Bit access to doubles; HI is the index of the high 32-bit word (1 on little-endian machines).
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
F64[0] = 1;
const HI = U32[1] === 0x3ff00000 ? 1 : 0;

/** Half-width of the fast path's error bound, relative to the result (see `log`). */
const FAST_PATH_BOUND = 2 ** -62;

let RK = 0;
let RM = 0;

/** Splits a positive finite x into 2^RK · RM with RM ∈ (0.707, 1.414], read from the bits. */
function reduce(x: number): void {
  let k = 0;
  F64[0] = x;
  let top = U32[HI];
  if (top < 0x00100000) {
    // Subnormal: scale into the normal range first.
    F64[0] = x * 2 ** 54;
    top = U32[HI];
    k = -54;
  }
  k += (top >>> 20) - 1023;
  U32[HI] = (top & 0x000fffff) | 0x3ff00000; // the mantissa with exponent 0: m ∈ [1, 2)
  let m = F64[0];
  if (m > J_MAX / 128) {
    m *= 0.5; // exact
    k += 1;
  }
  RK = k;
  RM = m;
}

/** Natural logarithm, correctly rounded (see the header). Same special cases as Math.log. */
export function log(x: number): number {
  if (!(x > 0) || x === Infinity) return Math.log(x); // NaN, negatives, ±0, +Infinity
  if (x === 1) return 0;
  reduce(x);
  const k = RK;
  const m = RM;
  const j = Math.round(m * 128);
  const c = j / 128;
  // m - c is exact: |m - c| <= 2^-8 and both are multiples of ulp(m).
  const d = m - c;
  const ci = 2 * (j - J_MIN);

  // Fast path: s as a double-double, the series tail in plain doubles, the large terms summed
  // error-free. Total error < 2^-66 of the result, so when widening the low part by
  // FAST_PATH_BOUND cannot change the rounding, the rounded sum is the correctly rounded log.
  // Otherwise (about 1 call in 350) fall back to the all-double-double evaluation.
  if (d !== 0) {
    twoSum(m, c);
    const uh = RH;
    const ul = RL;
    const sh = d / uh;
    twoProd(sh, uh);
    const sl = (d - RH - RL - sh * ul) / uh; // d - RH is exact (Sterbenz)
    const t = sh * sh;
    // 2·atanh(s) = 2s + 2s·(t/3 + t²/5 + …); truncation after t⁵/11 leaves < 2^-100 relative.
    const tail = 2 * sl + 2 * sh * t * (1 / 3 + t * (1 / 5 + t * (1 / 7 + t * (1 / 9 + t * (1 / 11)))));
    twoProd(k, LN2_HI);
    const kh = RH;
    let lo = RL + k * LN2_LO + LOG_C[ci + 1] + tail;
    twoSum(kh, LOG_C[ci]);
    lo += RL;
    twoSum(RH, 2 * sh);
    lo += RL;
    fastTwoSum(RH, lo);
    const hi = RH;
    const err = Math.abs(hi) * FAST_PATH_BOUND;
    if (hi + (RL + err) === hi + (RL - err)) return hi + RL;
  }
  return logSlow(k, m, c, d, ci);
}

/** The same decomposition evaluated entirely in double-double (~2^-100 relative error). */
function logSlow(k: number, m: number, c: number, d: number, ci: number): number {
  let yh = 0;
  let yl = 0;
  if (d !== 0) {
    twoSum(m, c);
    ddDiv(d, 0, RH, RL);
    // |s|² < 2^-16.8, so 7 terms leave a truncation error below 2^-117 relative.
    twoAtanh(RH, RL, 7);
    yh = RH;
    yl = RL;
  }
  // k·ln2 + log c + 2·atanh(s). The sum never cancels badly: for x near 1 (|log x| < 0.34),
  // k = 0 and c is the nearest multiple of 1/128, so log x is 2·atanh(s) alone when c = 1, and
  // otherwise |log x| >= 1/256 against terms below 1; elsewhere the result is at least half the
  // largest term.
  ddMul(LN2_HI, LN2_LO, k, 0);
  ddAdd(RH, RL, LOG_C[ci], LOG_C[ci + 1]);
  ddAdd(RH, RL, yh, yl);
  return RH + RL;
}

/** The all-double-double evaluation without the fast path (for tests of the fast path). */
export function logAccurate(x: number): number {
  if (!(x > 0) || x === Infinity) return Math.log(x);
  if (x === 1) return 0;
  reduce(x);
  const j = Math.round(RM * 128);
  const c = j / 128;
  return logSlow(RK, RM, c, RM - c, 2 * (j - J_MIN));
}
