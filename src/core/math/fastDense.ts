/**
 * Dense on the SIMD kernels: y = act(x·W + b) for `rows` rows at once, in chunks so that the
 * kernels' memory stays bounded (W packed once per call). Activations the kernels vectorise are
 * applied there; any other (softmax, …) is left to the caller (`activated: false`).
 */
import { takeF64 } from './bufferPool';
import { Arena, kernels, packGates, packPanels, panelWidth, roundUp, type Precision } from './wasm';

export interface FastDenseArgs {
  x: Float64Array;
  rows: number;
  inSize: number;
  /** inSize × K, row-major. */
  W: Float64Array;
  K: number;
  bias: Float64Array | null;
  /** Activation code (src/core/math/wasm.ts activationCode) or null: not applied here. */
  act: number | null;
  precision: Precision;
}

/** Rows per chunk: enough for the products to run at speed, small enough to stay in cache. */
const CHUNK = 1024;

export function fastDense(a: FastDenseArgs): { out: Float64Array; activated: boolean } | null {
  const k = kernels();
  if (!k) return null;
  const { rows, inSize, K } = a;
  const pw = panelWidth(a.precision);
  const Kp = roundUp(K, pw);
  const ar = new Arena(k, a.precision);
  const nb = Math.min(CHUNK, rows);
  const wp = ar.alloc(inSize * Kp);
  const bp = ar.alloc(Kp);
  const xb = ar.alloc(nb * inSize);
  const ob = ar.alloc(nb * Kp);
  ar.commit();
  packPanels(a.W, inSize, 1, K, Kp, inSize, pw, ar.view(wp, inSize * Kp));
  if (a.bias) packGates(a.bias, 1, K, Kp, ar.view(bp, Kp));
  const X = ar.view(xb, nb * inSize);
  const O = ar.view(ob, nb * Kp);
  const gemm = a.precision === 'f64' ? k.gemm64 : k.gemm32;
  const actN = a.precision === 'f64' ? k.act64n : k.act32n;
  const out = takeF64(rows * K);
  for (let r0 = 0; r0 < rows; r0 += nb) {
    const n = Math.min(nb, rows - r0);
    X.set(a.x.subarray(r0 * inSize, (r0 + n) * inSize));
    gemm(xb, inSize, n, inSize, wp, Kp / pw, ob, Kp, a.bias ? 2 : 0, bp);
    if (a.act !== null && a.act !== 0) actN(a.act, ob, n * Kp);
    if (Kp === K) out.set(O.subarray(0, n * K), r0 * K);
    else {
      // Plain loops: a subarray per row cost more than the product at small K (a Dense(1) head).
      for (let i = 0, o = r0 * K; i < n; i++) for (let j = 0, f = i * Kp; j < K; j++) out[o++] = O[f + j];
    }
  }
  return { out, activated: a.act !== null };
}
