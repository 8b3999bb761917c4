/**
 * The numeric kernels of the forward pass: the only hot code of the core.
 * Everything is C-order Float64Array, accumulated in float64, with no allocation inside loops.
 */

/** Converts a stored weight (float32 or float64) to float64 once. */
export function toF64(data: Float32Array | Float64Array): Float64Array {
  return data instanceof Float64Array ? data : Float64Array.from(data);
}

/**
 * out[rows×n] = a[rows×k] · b[k×n] (+ bias[n]), all row-major.
 * `aOff`/`bOff`/`outOff` let callers address a slice without copying.
 * The i-k-j loop order streams rows of `b` and `out` contiguously.
 */
export function matmul(
  a: Float64Array,
  rows: number,
  k: number,
  b: Float64Array,
  n: number,
  out: Float64Array,
  bias?: Float64Array | null,
  aOff = 0,
  bOff = 0,
  outOff = 0,
  biasOff = 0,
): Float64Array {
  for (let i = 0; i < rows; i++) {
    const o = outOff + i * n;
    if (bias) for (let j = 0; j < n; j++) out[o + j] = bias[biasOff + j];
    else for (let j = 0; j < n; j++) out[o + j] = 0;
    const ai = aOff + i * k;
    for (let p = 0; p < k; p++) {
      const v = a[ai + p];
      if (v === 0) continue;
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) out[o + j] += v * b[bp + j];
    }
  }
  return out;
}

/** The transpose of a rows×cols row-major matrix (cols×rows), cached per source array. */
const tCache = new WeakMap<Float64Array, Float64Array>();
export function transposed(w: Float64Array, rows: number, cols: number): Float64Array {
  let t = tCache.get(w);
  if (t && t.length === w.length) return t;
  t = new Float64Array(w.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = w[i * cols + j];
  tCache.set(w, t);
  return t;
}

/**
 * out[outOff + j] (+)= Σ_p v[vOff + p] · wt[(col0 + j)·m + p] for j < n, where wt is the
 * transposed weight (columns as rows of length m). Dot-product form with four columns at a
 * time: scalar accumulators stay in registers (the hot loop of the recurrence and of matmulT).
 */
export function dotCols(
  v: Float64Array,
  vOff: number,
  m: number,
  wt: Float64Array,
  col0: number,
  n: number,
  out: Float64Array,
  outOff: number,
  accumulate: boolean,
): void {
  let j = 0;
  for (; j + 3 < n; j += 4) {
    const b0 = (col0 + j) * m;
    const b1 = b0 + m;
    const b2 = b1 + m;
    const b3 = b2 + m;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let p = 0; p < m; p++) {
      const x = v[vOff + p];
      s0 += x * wt[b0 + p];
      s1 += x * wt[b1 + p];
      s2 += x * wt[b2 + p];
      s3 += x * wt[b3 + p];
    }
    const o = outOff + j;
    if (accumulate) {
      out[o] += s0;
      out[o + 1] += s1;
      out[o + 2] += s2;
      out[o + 3] += s3;
    } else {
      out[o] = s0;
      out[o + 1] = s1;
      out[o + 2] = s2;
      out[o + 3] = s3;
    }
  }
  for (; j < n; j++) {
    const b = (col0 + j) * m;
    let s = 0;
    for (let p = 0; p < m; p++) s += v[vOff + p] * wt[b + p];
    if (accumulate) out[outOff + j] += s;
    else out[outOff + j] = s;
  }
}

/** out[rows×n] = a[rows×k] · B + bias, with B given transposed (n×k). */
export function matmulT(a: Float64Array, rows: number, k: number, bt: Float64Array, n: number, out: Float64Array, bias?: Float64Array | null): Float64Array {
  gemmT(a, 0, k, rows, k, bt, 0, n, out, 0, n, false);
  if (bias) {
    for (let i = 0; i < rows; i++) {
      const o = i * n;
      for (let j = 0; j < n; j++) out[o + j] += bias[j];
    }
  }
  return out;
}

/**
 * out[outOff + i·ldo + j] (+)= Σ_p a[aOff + i·lda + p] · bt[(col0 + j)·k + p], for i < rows, j < n.
 * B is given transposed (columns as contiguous rows of length k). Blocked 2 rows × 4 columns so
 * that eight accumulators live in registers and every load feeds two or four multiply-adds.
 */
export function gemmT(
  a: Float64Array,
  aOff: number,
  lda: number,
  rows: number,
  k: number,
  bt: Float64Array,
  col0: number,
  n: number,
  out: Float64Array,
  outOff: number,
  ldo: number,
  accumulate: boolean,
): void {
  let i = 0;
  for (; i + 1 < rows; i += 2) {
    const a0 = aOff + i * lda;
    const a1 = a0 + lda;
    const o0 = outOff + i * ldo;
    const o1 = o0 + ldo;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = (col0 + j) * k;
      const b1 = b0 + k;
      const b2 = b1 + k;
      const b3 = b2 + k;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0;
      let s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let p = 0; p < k; p++) {
        const x0 = a[a0 + p];
        const x1 = a[a1 + p];
        const w0 = bt[b0 + p];
        const w1 = bt[b1 + p];
        const w2 = bt[b2 + p];
        const w3 = bt[b3 + p];
        s00 += x0 * w0;
        s01 += x0 * w1;
        s02 += x0 * w2;
        s03 += x0 * w3;
        s10 += x1 * w0;
        s11 += x1 * w1;
        s12 += x1 * w2;
        s13 += x1 * w3;
      }
      if (accumulate) {
        out[o0 + j] += s00;
        out[o0 + j + 1] += s01;
        out[o0 + j + 2] += s02;
        out[o0 + j + 3] += s03;
        out[o1 + j] += s10;
        out[o1 + j + 1] += s11;
        out[o1 + j + 2] += s12;
        out[o1 + j + 3] += s13;
      } else {
        out[o0 + j] = s00;
        out[o0 + j + 1] = s01;
        out[o0 + j + 2] = s02;
        out[o0 + j + 3] = s03;
        out[o1 + j] = s10;
        out[o1 + j + 1] = s11;
        out[o1 + j + 2] = s12;
        out[o1 + j + 3] = s13;
      }
    }
    for (; j < n; j++) {
      const b = (col0 + j) * k;
      let s0 = 0;
      let s1 = 0;
      for (let p = 0; p < k; p++) {
        const w = bt[b + p];
        s0 += a[a0 + p] * w;
        s1 += a[a1 + p] * w;
      }
      if (accumulate) {
        out[o0 + j] += s0;
        out[o1 + j] += s1;
      } else {
        out[o0 + j] = s0;
        out[o1 + j] = s1;
      }
    }
  }
  if (i < rows) dotCols(a, aOff + i * lda, k, bt, col0, n, out, outOff + i * ldo, accumulate);
}
