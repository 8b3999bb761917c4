/**
 * The SIMD WebAssembly kernels (src/core/math/simd/, AssemblyScript compiled by
 * scripts/build-wasm.mjs and inlined as base64): loading, and a bump arena over their memory.
 *
 * Loaded synchronously on first use (Node compiles a module of this size synchronously anywhere,
 * worker threads included). `RNN_INSPECTOR_NO_WASM=1` or a runtime without WebAssembly SIMD leaves
 * `kernels()` null and every caller on the TypeScript reference kernels.
 */
import { KERNELS_WASM_BASE64 } from '../../../build/gen/kernelsWasm';

export type Precision = 'f64' | 'f32';

/** The module's exports; every pointer is a byte offset into `memory`. */
export interface Kernels {
  memory: WebAssembly.Memory;
  heapBase(): number;
  gemm64(a: number, lda: number, rows: number, k: number, bp: number, np: number, out: number, ldo: number, mode: number, bias: number): void;
  gemm32(a: number, lda: number, rows: number, k: number, bp: number, np: number, out: number, ldo: number, mode: number, bias: number): void;
  /** out += Aᵀ·B with A stored k × rows (simd/gemmTN.ts). */
  gemmTN64(a: number, lda: number, rows: number, k: number, bp: number, np: number, out: number, ldo: number): void;
  step64(kind: number, zx: number, zr: number, h: number, c: number, rh: number, nb: number, mp: number, act: number, ract: number, seq: number, seqStride: number, tape: number, tapeStride: number): void;
  step32(kind: number, zx: number, zr: number, h: number, c: number, rh: number, nb: number, mp: number, act: number, ract: number, seq: number, seqStride: number, tape: number, tapeStride: number): void;
  act64n(code: number, v: number, n: number): void;
  block64(kind: number, rows: number, T: number, D: number, M: number, mp: number, back: number, xb: number, wx: number, wh: number, bin: number, brec: number, inMode: number, recMode: number, zx: number, zr: number, h: number, c: number, rh: number, act: number, ract: number, seq: number, hOut: number, cOut: number, tA: number, aw: number, tH: number, tC: number, tRec: number): void;
  block32(kind: number, rows: number, T: number, D: number, M: number, mp: number, back: number, xb: number, wx: number, wh: number, bin: number, brec: number, inMode: number, recMode: number, zx: number, zr: number, h: number, c: number, rh: number, act: number, ract: number, seq: number, hOut: number, cOut: number): void;
  act32n(code: number, v: number, n: number): void;
  /** A block through a small recurrent layer with the samples in the lanes (simd/lanes.ts). */
  lanes64(kind: number, rows: number, T: number, D: number, M: number, back: number, xb: number, w: number, bias: number, C: number, u: number, z: number, c: number, act: number, ract: number, seq: number, hOut: number, cOut: number): void;
  lanes32(kind: number, rows: number, T: number, D: number, M: number, back: number, xb: number, w: number, bias: number, C: number, u: number, z: number, c: number, act: number, ract: number, seq: number, hOut: number, cOut: number): void;
}

let cached: Kernels | null | undefined;
let loadError: string | undefined;

/** The kernels, or null when WebAssembly SIMD is unavailable or disabled. */
export function kernels(): Kernels | null {
  if (cached !== undefined) return cached;
  cached = null;
  if (typeof process !== 'undefined' && process.env?.RNN_INSPECTOR_NO_WASM === '1') {
    loadError = 'disabled by RNN_INSPECTOR_NO_WASM=1';
    return cached;
  }
  try {
    const bytes = Uint8Array.from(atob(KERNELS_WASM_BASE64), (c) => c.charCodeAt(0));
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    cached = inst.exports as unknown as Kernels;
  } catch (e) {
    loadError = (e as Error).message;
  }
  return cached;
}

/** Why `kernels()` is null (undefined when they loaded). */
export function kernelsProblem(): string | undefined {
  kernels();
  return loadError;
}

/** Panel width of the packed weights, in columns: 4 doubles or 8 floats (two v128 per row). */
export const panelWidth = (p: Precision): number => (p === 'f64' ? 4 : 8);
export const roundUp = (n: number, m: number): number => Math.ceil(n / m) * m;

/**
 * Regions of the kernels' memory, handed out from heapBase upwards and reset per call: allocate
 * everything first, then `commit()` (grows the memory once), then take views.
 */
export class Arena {
  private top: number;
  readonly bytesPer: number;
  constructor(
    readonly k: Kernels,
    readonly precision: Precision,
  ) {
    this.top = k.heapBase();
    this.bytesPer = precision === 'f64' ? 8 : 4;
  }
  /** A region of `count` elements (16-byte aligned); returns its byte offset. */
  alloc(count: number): number {
    const p = roundUp(this.top, 16);
    this.top = p + count * this.bytesPer;
    return p;
  }
  commit(): void {
    const have = this.k.memory.buffer.byteLength;
    if (this.top > have) this.k.memory.grow(Math.ceil((this.top - have) / 65536));
  }
  /** A typed view of `count` elements at byte offset `ptr` (valid until the next grow). */
  view(ptr: number, count: number): Float64Array | Float32Array {
    return this.precision === 'f64' ? new Float64Array(this.k.memory.buffer, ptr, count) : new Float32Array(this.k.memory.buffer, ptr, count);
  }
}

/**
 * Packs a rows×cols row-major weight (cols = G gate blocks of m columns) into panels for the
 * kernels: gate g's column j goes to padded column g·mp + j, rows ≥ `rows` (up to `rowsPad`) and
 * padding columns are zero. `dst` is a view of rowsPad·G·mp elements.
 */
export function packPanels(w: Float64Array, rows: number, g: number, m: number, mp: number, rowsPad: number, pw: number, dst: Float64Array | Float32Array): void {
  dst.fill(0);
  const cols = g * m;
  for (let gi = 0; gi < g; gi++) {
    for (let j = 0; j < m; j++) {
      const pc = gi * mp + j;
      const base = Math.floor(pc / pw) * rowsPad * pw + (pc % pw);
      const src = gi * m + j;
      for (let p = 0; p < rows; p++) dst[base + p * pw] = w[p * cols + src];
    }
  }
}

/** A G·m vector laid out on G blocks of mp (zero padding). */
export function packGates(v: Float64Array, g: number, m: number, mp: number, dst: Float64Array | Float32Array): void {
  dst.fill(0);
  for (let gi = 0; gi < g; gi++) for (let j = 0; j < m; j++) dst[gi * mp + j] = v[gi * m + j];
}

/** Activation codes of the kernels (src/core/math/simd/act.ts), by Keras name; null: not vectorised. */
export function activationCode(name: string, keras2: boolean): number | null {
  switch (name) {
    case 'linear':
      return 0;
    case 'tanh':
      return 1;
    case 'sigmoid':
      return 2;
    case 'relu':
      return 3;
    case 'hard_sigmoid':
      return keras2 ? 5 : 4;
    case 'exponential':
      return 6;
    default:
      return null;
  }
}
