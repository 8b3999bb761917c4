/**
 * Backward steps of the weightless layers (core.ts): the inference-time identities, the
 * activation layers, Masking, Flatten / Reshape, RepeatVector, Permute. None has weights.
 */
import type { Layer, NDArray } from '../model';
import type { BackwardCtx, BackwardResult, Tensor } from './types';
import { cfg, one } from './util';
import { throughActivation } from './denseBackward';

const none = (d: NDArray | null = null): BackwardResult => ({ dInputs: [d], dWeights: [] });

/** Dropout and the other layers that are the identity at inference. */
export function identityBackward(_layer: Layer, _inputs: Tensor[], _outputs: Tensor[], dOutputs: (NDArray | null)[]): BackwardResult {
  return none(dOutputs[0]);
}

/** An activation layer whose activation (in any config form) is `spec`. */
export function activationLayerBackward(layer: Layer, spec: unknown, inputs: Tensor[], outputs: Tensor[], dOutputs: (NDArray | null)[], ctx: BackwardCtx): BackwardResult {
  const dy = dOutputs[0];
  if (!dy) return none();
  const x = one(layer, inputs).array;
  return none({ shape: x.shape.slice(), data: throughActivation(layer, spec, outputs[0].array, dy, () => x.data, ctx) });
}

/** Masking: masked steps were zeroed, so no gradient flows back to them. */
export function maskingBackward(_layer: Layer, inputs: Tensor[], outputs: Tensor[], dOutputs: (NDArray | null)[]): BackwardResult {
  const dy = dOutputs[0];
  const mask = outputs[0].mask;
  if (!dy || !mask) return none(dy);
  const d = Float64Array.from(dy.data);
  const F = d.length / mask.length;
  for (let i = 0; i < mask.length; i++) if (!mask[i]) d.fill(0, i * F, (i + 1) * F);
  return none({ shape: inputs[0].array.shape.slice(), data: d });
}

/** Flatten, Reshape: the same values in another shape. */
export function reshapeBackward(_layer: Layer, inputs: Tensor[], _outputs: Tensor[], dOutputs: (NDArray | null)[]): BackwardResult {
  const dy = dOutputs[0];
  return none(dy && { shape: inputs[0].array.shape.slice(), data: dy.data });
}

/** RepeatVector: the gradient of x is the sum over the n copies. */
export function repeatVectorBackward(_layer: Layer, inputs: Tensor[], outputs: Tensor[], dOutputs: (NDArray | null)[]): BackwardResult {
  const dy = dOutputs[0];
  if (!dy) return none();
  const [N, F] = inputs[0].array.shape;
  const n = outputs[0].array.shape[1];
  const d = new Float64Array(N * F);
  for (let i = 0; i < N; i++) for (let t = 0; t < n; t++) for (let j = 0; j < F; j++) d[i * F + j] += dy.data[(i * n + t) * F + j];
  return none({ shape: [N, F], data: d });
}

/** Permute: the gradient goes back through the inverse permutation. */
export function permuteBackward(layer: Layer, inputs: Tensor[], _outputs: Tensor[], dOutputs: (NDArray | null)[]): BackwardResult {
  const dy = dOutputs[0];
  if (!dy) return none();
  const perm = [0, ...(cfg(layer).dims as number[]).map(Number)];
  const inShape = inputs[0].array.shape;
  const outShape = perm.map((p) => inShape[p]);
  const rank = inShape.length;
  const inStride = new Array<number>(rank);
  inStride[rank - 1] = 1;
  for (let k = rank - 2; k >= 0; k--) inStride[k] = inStride[k + 1] * inShape[k + 1];
  const srcStride = perm.map((p) => inStride[p]);
  const d = new Float64Array(dy.data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < d.length; i++) {
    let src = 0;
    for (let k = 0; k < rank; k++) src += idx[k] * srcStride[k];
    d[src] = dy.data[i];
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k] < outShape[k]) break;
      idx[k] = 0;
    }
  }
  return none({ shape: inShape.slice(), data: d });
}
