// AssemblyScript (compiled by asc, not tsc): out[rows × n] += Aᵀ · B in float64, for the backward
// pass's weight gradients (dW += xᵀ·δ): A is stored k × rows (row p of A at a + p·lda), so the
// inputs of a step are read where they lie, without a transposed copy. B is packed in panels of 4
// columns as for gemm64 (./gemm.ts); the same 4 × 2-vector register blocking, with A's element
// (i, p) at a + (p·lda + i)·8. lda and ldo in elements, pointers in bytes.

export function gemmTN64(a: usize, lda: i32, rows: i32, k: i32, bp: usize, np: i32, out: usize, ldo: i32): void {
  const sa = <usize>lda << 3;
  const so = <usize>ldo << 3;
  const panel = <usize>k << 5;
  const e = <usize>k;
  for (let q = 0; q < np; q++) {
    const bq = bp + <usize>q * panel;
    let i = 0;
    for (; i + 4 <= rows; i += 4) {
      const o0 = out + <usize>i * so + (<usize>q << 5);
      const o1 = o0 + so;
      const o2 = o1 + so;
      const o3 = o2 + so;
      let c00 = v128.load(o0), c01 = v128.load(o0, 16);
      let c10 = v128.load(o1), c11 = v128.load(o1, 16);
      let c20 = v128.load(o2), c21 = v128.load(o2, 16);
      let c30 = v128.load(o3), c31 = v128.load(o3, 16);
      let b = bq;
      let ap = a + (<usize>i << 3);
      for (let p: usize = 0; p < e; p++) {
        const b0 = v128.load(b);
        const b1 = v128.load(b, 16);
        b += 32;
        let x = v128.load64_splat(ap);
        c00 = f64x2.add(c00, f64x2.mul(x, b0));
        c01 = f64x2.add(c01, f64x2.mul(x, b1));
        x = v128.load64_splat(ap, 8);
        c10 = f64x2.add(c10, f64x2.mul(x, b0));
        c11 = f64x2.add(c11, f64x2.mul(x, b1));
        x = v128.load64_splat(ap, 16);
        c20 = f64x2.add(c20, f64x2.mul(x, b0));
        c21 = f64x2.add(c21, f64x2.mul(x, b1));
        x = v128.load64_splat(ap, 24);
        c30 = f64x2.add(c30, f64x2.mul(x, b0));
        c31 = f64x2.add(c31, f64x2.mul(x, b1));
        ap += sa;
      }
      v128.store(o0, c00); v128.store(o0, c01, 16);
      v128.store(o1, c10); v128.store(o1, c11, 16);
      v128.store(o2, c20); v128.store(o2, c21, 16);
      v128.store(o3, c30); v128.store(o3, c31, 16);
    }
    for (; i < rows; i++) {
      const o0 = out + <usize>i * so + (<usize>q << 5);
      let c00 = v128.load(o0), c01 = v128.load(o0, 16);
      let b = bq;
      let ap = a + (<usize>i << 3);
      for (let p: usize = 0; p < e; p++) {
        const x = v128.load64_splat(ap);
        c00 = f64x2.add(c00, f64x2.mul(x, v128.load(b)));
        c01 = f64x2.add(c01, f64x2.mul(x, v128.load(b, 16)));
        b += 32;
        ap += sa;
      }
      v128.store(o0, c00); v128.store(o0, c01, 16);
    }
  }
}
