// AssemblyScript (compiled by asc, not tsc): blocked matrix products on packed weights.
//
// out[rows × n] (+)= A[rows × k] · B, with B packed in panels of PW columns (float64: 4, float32: 8):
// panel q holds columns q·PW .. q·PW+PW−1, row p of the panel at bp + (q·k + p)·PW·size, so a
// panel streams contiguously while 4 rows of A are multiplied into 2 vector accumulators each
// (8 v128 accumulators, in registers). `lda`/`ldo` are in elements; every pointer is a byte offset.
// mode: 0 out = A·B, 1 out += A·B, 2 out = bias + A·B (bias padded to np·PW).
// Rows are taken in chunks of RB so that the chunk of A stays in cache while the panels go by.

const RB = 64;

// ---------------------------------------------------------------------------------- float64

// @ts-ignore: decorator
@inline
function init64(mode: i32, o: usize, bias: usize): v128 {
  if (mode == 1) return v128.load(o);
  if (mode == 2) return v128.load(bias);
  return f64x2.splat(0.0);
}

export function gemm64(a: usize, lda: i32, rows: i32, k: i32, bp: usize, np: i32, out: usize, ldo: i32, mode: i32, bias: usize): void {
  const sa = <usize>lda << 3;
  const so = <usize>ldo << 3;
  const panel = <usize>k << 5;
  for (let i0 = 0; i0 < rows; i0 += RB) {
    const i1 = min(rows, i0 + RB);
    for (let q = 0; q < np; q++) {
      const bq = bp + <usize>q * panel;
      const bb = bias + (<usize>q << 5);
      let i = i0;
      for (; i + 4 <= i1; i += 4) {
        const a0 = a + <usize>i * sa;
        const a1 = a0 + sa;
        const a2 = a1 + sa;
        const a3 = a2 + sa;
        const o0 = out + <usize>i * so + (<usize>q << 5);
        const o1 = o0 + so;
        const o2 = o1 + so;
        const o3 = o2 + so;
        let c00 = init64(mode, o0, bb), c01 = init64(mode, o0 + 16, bb + 16);
        let c10 = init64(mode, o1, bb), c11 = init64(mode, o1 + 16, bb + 16);
        let c20 = init64(mode, o2, bb), c21 = init64(mode, o2 + 16, bb + 16);
        let c30 = init64(mode, o3, bb), c31 = init64(mode, o3 + 16, bb + 16);
        let b = bq;
        for (let p: usize = 0, e = <usize>k << 3; p < e; p += 8) {
          const b0 = v128.load(b);
          const b1 = v128.load(b, 16);
          b += 32;
          let x = v128.load64_splat(a0 + p);
          c00 = f64x2.add(c00, f64x2.mul(x, b0));
          c01 = f64x2.add(c01, f64x2.mul(x, b1));
          x = v128.load64_splat(a1 + p);
          c10 = f64x2.add(c10, f64x2.mul(x, b0));
          c11 = f64x2.add(c11, f64x2.mul(x, b1));
          x = v128.load64_splat(a2 + p);
          c20 = f64x2.add(c20, f64x2.mul(x, b0));
          c21 = f64x2.add(c21, f64x2.mul(x, b1));
          x = v128.load64_splat(a3 + p);
          c30 = f64x2.add(c30, f64x2.mul(x, b0));
          c31 = f64x2.add(c31, f64x2.mul(x, b1));
        }
        v128.store(o0, c00); v128.store(o0, c01, 16);
        v128.store(o1, c10); v128.store(o1, c11, 16);
        v128.store(o2, c20); v128.store(o2, c21, 16);
        v128.store(o3, c30); v128.store(o3, c31, 16);
      }
      for (; i < i1; i++) {
        const a0 = a + <usize>i * sa;
        const o0 = out + <usize>i * so + (<usize>q << 5);
        let c00 = init64(mode, o0, bb), c01 = init64(mode, o0 + 16, bb + 16);
        let b = bq;
        for (let p: usize = 0, e = <usize>k << 3; p < e; p += 8) {
          const x = v128.load64_splat(a0 + p);
          c00 = f64x2.add(c00, f64x2.mul(x, v128.load(b)));
          c01 = f64x2.add(c01, f64x2.mul(x, v128.load(b, 16)));
          b += 32;
        }
        v128.store(o0, c00); v128.store(o0, c01, 16);
      }
    }
  }
}

// ---------------------------------------------------------------------------------- float32

// @ts-ignore: decorator
@inline
function init32(mode: i32, o: usize, bias: usize): v128 {
  if (mode == 1) return v128.load(o);
  if (mode == 2) return v128.load(bias);
  return f32x4.splat(0.0);
}

export function gemm32(a: usize, lda: i32, rows: i32, k: i32, bp: usize, np: i32, out: usize, ldo: i32, mode: i32, bias: usize): void {
  const sa = <usize>lda << 2;
  const so = <usize>ldo << 2;
  const panel = <usize>k << 5;
  for (let i0 = 0; i0 < rows; i0 += RB) {
    const i1 = min(rows, i0 + RB);
    for (let q = 0; q < np; q++) {
      const bq = bp + <usize>q * panel;
      const bb = bias + (<usize>q << 5);
      let i = i0;
      for (; i + 4 <= i1; i += 4) {
        const a0 = a + <usize>i * sa;
        const a1 = a0 + sa;
        const a2 = a1 + sa;
        const a3 = a2 + sa;
        const o0 = out + <usize>i * so + (<usize>q << 5);
        const o1 = o0 + so;
        const o2 = o1 + so;
        const o3 = o2 + so;
        let c00 = init32(mode, o0, bb), c01 = init32(mode, o0 + 16, bb + 16);
        let c10 = init32(mode, o1, bb), c11 = init32(mode, o1 + 16, bb + 16);
        let c20 = init32(mode, o2, bb), c21 = init32(mode, o2 + 16, bb + 16);
        let c30 = init32(mode, o3, bb), c31 = init32(mode, o3 + 16, bb + 16);
        let b = bq;
        for (let p: usize = 0, e = <usize>k << 2; p < e; p += 4) {
          const b0 = v128.load(b);
          const b1 = v128.load(b, 16);
          b += 32;
          let x = v128.load32_splat(a0 + p);
          c00 = f32x4.add(c00, f32x4.mul(x, b0));
          c01 = f32x4.add(c01, f32x4.mul(x, b1));
          x = v128.load32_splat(a1 + p);
          c10 = f32x4.add(c10, f32x4.mul(x, b0));
          c11 = f32x4.add(c11, f32x4.mul(x, b1));
          x = v128.load32_splat(a2 + p);
          c20 = f32x4.add(c20, f32x4.mul(x, b0));
          c21 = f32x4.add(c21, f32x4.mul(x, b1));
          x = v128.load32_splat(a3 + p);
          c30 = f32x4.add(c30, f32x4.mul(x, b0));
          c31 = f32x4.add(c31, f32x4.mul(x, b1));
        }
        v128.store(o0, c00); v128.store(o0, c01, 16);
        v128.store(o1, c10); v128.store(o1, c11, 16);
        v128.store(o2, c20); v128.store(o2, c21, 16);
        v128.store(o3, c30); v128.store(o3, c31, 16);
      }
      for (; i < i1; i++) {
        const a0 = a + <usize>i * sa;
        const o0 = out + <usize>i * so + (<usize>q << 5);
        let c00 = init32(mode, o0, bb), c01 = init32(mode, o0 + 16, bb + 16);
        let b = bq;
        for (let p: usize = 0, e = <usize>k << 2; p < e; p += 4) {
          const x = v128.load32_splat(a0 + p);
          c00 = f32x4.add(c00, f32x4.mul(x, v128.load(b)));
          c01 = f32x4.add(c01, f32x4.mul(x, v128.load(b, 16)));
          b += 32;
        }
        v128.store(o0, c00); v128.store(o0, c01, 16);
      }
    }
  }
}
