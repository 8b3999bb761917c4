// AssemblyScript (compiled by asc, not tsc): blocked matrix products on packed weights.
//
// out[rows × n] (+)= A[rows × k] · B, with B packed in panels of PW columns (float64: 4, float32: 8):
// panel q holds columns q·PW .. q·PW+PW−1, row p of the panel at bp + (q·k + p)·PW·size, so a
// panel streams contiguously while 4 rows of A are multiplied into 2 vector accumulators each
// (8 v128 accumulators, in registers). `lda`/`ldo` are in elements; every pointer is a byte offset.
// mode: 0 out = A·B, 1 out += A·B, 2 out = bias + A·B (bias padded to np·PW).
// Rows are taken in chunks of RB so that the chunk of A stays in cache while the panels go by.

const RB = 64;

// One generic body (T = f64 or f32, resolved at compile time), exported as gemm64 and gemm32.

// @ts-ignore: decorator
@inline
function init<T>(mode: i32, o: usize, bias: usize): v128 {
  if (mode == 1) return v128.load(o);
  if (mode == 2) return v128.load(bias);
  return v128.splat<T>(<T>0);
}

// @ts-ignore: decorator
@inline
function gemmT<T>(a: usize, lda: i32, rows: i32, k: i32, bp: usize, np: i32, out: usize, ldo: i32, mode: i32, bias: usize): void {
  const sz = <usize>sizeof<T>();
  const sa = <usize>lda * sz;
  const so = <usize>ldo * sz;
  const panel = <usize>k << 5;
  const e = <usize>k * sz;
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
        let c00 = init<T>(mode, o0, bb), c01 = init<T>(mode, o0 + 16, bb + 16);
        let c10 = init<T>(mode, o1, bb), c11 = init<T>(mode, o1 + 16, bb + 16);
        let c20 = init<T>(mode, o2, bb), c21 = init<T>(mode, o2 + 16, bb + 16);
        let c30 = init<T>(mode, o3, bb), c31 = init<T>(mode, o3 + 16, bb + 16);
        let b = bq;
        for (let p: usize = 0; p < e; p += sz) {
          const b0 = v128.load(b);
          const b1 = v128.load(b, 16);
          b += 32;
          let x = v128.load_splat<T>(a0 + p);
          c00 = v128.add<T>(c00, v128.mul<T>(x, b0));
          c01 = v128.add<T>(c01, v128.mul<T>(x, b1));
          x = v128.load_splat<T>(a1 + p);
          c10 = v128.add<T>(c10, v128.mul<T>(x, b0));
          c11 = v128.add<T>(c11, v128.mul<T>(x, b1));
          x = v128.load_splat<T>(a2 + p);
          c20 = v128.add<T>(c20, v128.mul<T>(x, b0));
          c21 = v128.add<T>(c21, v128.mul<T>(x, b1));
          x = v128.load_splat<T>(a3 + p);
          c30 = v128.add<T>(c30, v128.mul<T>(x, b0));
          c31 = v128.add<T>(c31, v128.mul<T>(x, b1));
        }
        v128.store(o0, c00); v128.store(o0, c01, 16);
        v128.store(o1, c10); v128.store(o1, c11, 16);
        v128.store(o2, c20); v128.store(o2, c21, 16);
        v128.store(o3, c30); v128.store(o3, c31, 16);
      }
      for (; i < i1; i++) {
        const a0 = a + <usize>i * sa;
        const o0 = out + <usize>i * so + (<usize>q << 5);
        let c00 = init<T>(mode, o0, bb), c01 = init<T>(mode, o0 + 16, bb + 16);
        let b = bq;
        for (let p: usize = 0; p < e; p += sz) {
          const x = v128.load_splat<T>(a0 + p);
          c00 = v128.add<T>(c00, v128.mul<T>(x, v128.load(b)));
          c01 = v128.add<T>(c01, v128.mul<T>(x, v128.load(b, 16)));
          b += 32;
        }
        v128.store(o0, c00); v128.store(o0, c01, 16);
      }
    }
  }
}

export function gemm64(a: usize, lda: i32, rows: i32, k: i32, bp: usize, np: i32, out: usize, ldo: i32, mode: i32, bias: usize): void {
  gemmT<f64>(a, lda, rows, k, bp, np, out, ldo, mode, bias);
}

export function gemm32(a: usize, lda: i32, rows: i32, k: i32, bp: usize, np: i32, out: usize, ldo: i32, mode: i32, bias: usize): void {
  gemmT<f32>(a, lda, rows, k, bp, np, out, ldo, mode, bias);
}
