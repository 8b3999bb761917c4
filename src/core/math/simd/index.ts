// AssemblyScript entry of the SIMD kernels (built by scripts/build-wasm.mjs with asc --enable simd).
// Memory is laid out by the caller (src/core/math/wasm.ts) from heapBase() upwards; nothing here allocates.
export { gemm64, gemm32 } from './gemm';
export { gemmTN64 } from './gemmTN';
export { step64, step32 } from './rnn';
export { act64n, act32n } from './act';
export { block64, block32 } from './block';

export function heapBase(): usize {
  return (__heap_base + 15) & ~15;
}
export { lanes64, lanes32 } from './lanes';
