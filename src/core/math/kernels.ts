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

/**
 * acc[n] += v[m] · W[:, colStart:colStart+n] where W is m×ldw (row-major): a vector–matrix product
 * on a column block of W, as the recurrent step needs (h_{t-1}·Wh).
 */
export function vecmatAcc(
  v: Float64Array,
  vOff: number,
  m: number,
  w: Float64Array,
  ldw: number,
  colStart: number,
  n: number,
  acc: Float64Array,
  accOff: number,
): void {
  for (let p = 0; p < m; p++) {
    const x = v[vOff + p];
    if (x === 0) continue;
    const wp = p * ldw + colStart;
    for (let j = 0; j < n; j++) acc[accOff + j] += x * w[wp + j];
  }
}

/** Product of a shape's dimensions. */
export function sizeOf(shape: readonly number[]): number {
  let s = 1;
  for (const d of shape) s *= d;
  return s;
}
