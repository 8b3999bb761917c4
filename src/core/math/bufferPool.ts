/**
 * Reuse of the large float64 arrays the fast kernels return (a recurrent layer's (N, T, M) sequence,
 * a Dense layer's output), across layers and across forward() calls.
 *
 * Why: a fresh large array is zero pages until first written, and on a virtual machine each page's
 * first touch is a fault costing microseconds (measured here: 55 ms to first-write 16 MB, 1 ms to
 * write it again). A forward pass over stacked layers allocated tens of MB of such intermediates per
 * call. forward() hands back the arrays of intermediate tensors once their last consumer has run
 * (src/core/forward.ts: only arrays made here, only when no other live tensor shares their buffer and
 * no callback or trace could have kept them); the next array of the same length reuses one.
 *
 * Taking is always safe (arrays on the free list are referenced by nothing else); a taken array's
 * contents are stale: the caller overwrites every element.
 */

const owned = new WeakSet<Float64Array>();
const free = new Map<number, Float64Array[]>();
let freeBytes = 0;
/** At most this much is kept on the free list (the oldest lengths are dropped first). */
const MAX_FREE_BYTES = 256 * 1024 * 1024;
/** Below this an allocation is cheap (malloc's own free lists): not pooled. */
const MIN_ELEMENTS = 16 * 1024;

/** A float64 array of exactly n elements, contents unspecified (every element must be written). */
export function takeF64(n: number): Float64Array {
  if (n < MIN_ELEMENTS) return new Float64Array(n);
  const list = free.get(n);
  const a = list?.pop();
  if (a) {
    freeBytes -= a.byteLength;
    if (!list!.length) free.delete(n);
    return a;
  }
  const b = new Float64Array(n);
  owned.add(b);
  return b;
}

/** Gives back an array made by takeF64 that nothing references any more (others are ignored). */
export function releaseF64(a: Float64Array): void {
  if (!owned.has(a) || a.byteLength === 0) return; // not ours, or transferred away (detached)
  for (const l of free.values()) if (l.includes(a)) return;
  while (freeBytes + a.byteLength > MAX_FREE_BYTES && free.size) {
    const [n, l] = free.entries().next().value as [number, Float64Array[]];
    const x = l.shift()!;
    freeBytes -= x.byteLength;
    if (!l.length) free.delete(n);
  }
  if (a.byteLength > MAX_FREE_BYTES) return;
  const list = free.get(n(a));
  if (list) list.push(a);
  else free.set(n(a), [a]);
  freeBytes += a.byteLength;
}

const n = (a: Float64Array): number => a.length;

/** Whether `a` was made by takeF64 (tests). */
export function isPooled(a: Float64Array): boolean {
  return owned.has(a);
}
