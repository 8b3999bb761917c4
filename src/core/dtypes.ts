/**
 * Element types as NumPy / Keras name them: bytes per element, and decoding of the 16-bit floats
 * that readers get back as raw bits (HDF5 float16, Keras 3 bfloat16, .npy '<f2').
 */

const BYTES: Record<string, number> = {
  float64: 8, int64: 8, uint64: 8, float32: 4, int32: 4, uint32: 4,
  float16: 2, bfloat16: 2, int16: 2, uint16: 2, int8: 1, uint8: 1, bool: 1,
};

/** Bytes of one element of a dtype ("float32" → 4); unknown names count as 4, as float32. */
export function bytesPerElement(dtype: string): number {
  return BYTES[dtype] ?? 4;
}

/** IEEE 754 half precision bits → double (exact). */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero or subnormal
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1024 + frac) * 2 ** (exp - 25);
}

/** Raw IEEE half floats (2 bytes each, in the given byte order) → float32 values. */
export function decodeFloat16(bytes: Uint8Array, littleEndian: boolean): Float32Array {
  const n = bytes.length >> 1;
  const out = new Float32Array(n);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < n; i++) out[i] = halfToNumber(dv.getUint16(2 * i, littleEndian));
  return out;
}

/** bfloat16 values held as uint16 bit patterns → float32 values (exact). */
export function decodeBfloat16(raw: ArrayLike<number>): Float32Array {
  const out = new Float32Array(raw.length);
  const u32 = new Uint32Array(out.buffer);
  for (let i = 0; i < raw.length; i++) u32[i] = (raw[i] & 0xffff) << 16;
  return out;
}
