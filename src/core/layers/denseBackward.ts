/**
 * Backward steps of Dense and of the activation layers: y = act(z), z = x·W + b on the last axis.
 *   dz = act'(z) ⊙ dy (softmax: its Jacobian),  dW = xᵀ·dz,  db = Σ dz,  dx = dz·Wᵀ.
 */
import { InspectorError, type Layer, type NDArray } from '../model';
import { gemmT, matmul } from '../math/kernels';
import { activationName, resolveActivation } from '../math/activations';
import { activationBackward, activationGrad } from '../math/activationGrads';
import { accColSums, accTN } from '../math/bptt';
import type { BackwardCtx, BackwardResult, ExpectedWeight, Tensor } from './types';
import { bindWeights, cfg, matchWeights, one } from './util';
import { isTrainable, wantsInputGrad } from './backwardUtil';

/** dL/dz from dL/dy through the activation named by `spec` (z recomputed by `pre` when needed). */
export function throughActivation(layer: Layer, spec: unknown, y: NDArray, dy: NDArray, pre: () => Float64Array, ctx: BackwardCtx): Float64Array {
  const act = resolveActivation(spec, ctx.kerasVersion);
  const g = act && activationGrad(act, ctx.kerasVersion);
  if (!act || !g) throw new InspectorError('', `no backward step for activation '${activationName(spec)}' (layer ${layer.name})`);
  if (act.name === 'linear') return dy.data;
  const last = y.shape[y.shape.length - 1];
  return activationBackward(g, pre(), y.data, dy.data, last, new Float64Array(dy.data.length));
}

const SOFT = new Set(['softmax', 'sigmoid']);

/** Keras 3 keeps the logits of a softmax / sigmoid output (`_keras_logits`): cross-entropy then skips clipping. */
export function softmaxOrSigmoid(spec: unknown): boolean {
  return SOFT.has(activationName(spec));
}

export function denseBackward(layer: Layer, inputs: Tensor[], outputs: Tensor[], dOutputs: (NDArray | null)[], ctx: BackwardCtx): BackwardResult {
  const x = one(layer, inputs).array;
  const y = outputs[0].array;
  const dy = dOutputs[0];
  const I = x.shape[x.shape.length - 1];
  const K = y.shape[y.shape.length - 1];
  const rows = x.data.length / I;
  const useBias = cfg(layer).use_bias ?? true;
  const expected: ExpectedWeight[] = [{ role: 'kernel', shape: [I, K], trainable: true }];
  if (useBias) expected.push({ role: 'bias', shape: [K], trainable: true });
  const [W, b] = bindWeights(layer, expected);
  const stored = matchWeights(layer.weights, expected);
  if (!dy) return { dInputs: [null], dWeights: [] };
  const dz = throughActivation(layer, cfg(layer).activation, y, dy, () => matmul(x.data, rows, I, W, K, new Float64Array(rows * K), b ?? null), ctx);
  let dx: NDArray | null = null;
  if (wantsInputGrad(ctx, 0)) {
    dx = { shape: x.shape.slice(), data: new Float64Array(x.data.length) };
    gemmT(dz, 0, K, rows, K, W, 0, I, dx.data, 0, I, false);
  }
  const dWeights = [];
  if (isTrainable(layer)) {
    const dW = new Float64Array(I * K);
    accTN(x.data, I, 0, rows, I, dz, K, 0, K, dW, K, 0);
    dWeights.push({ path: 'kernel', shape: [I, K], data: dW, weight: stored[0] });
    if (useBias) {
      const db = new Float64Array(K);
      accColSums(dz, K, 0, rows, K, db, 0);
      dWeights.push({ path: 'bias', shape: [K], data: db, weight: stored[1] });
    }
  }
  return { dInputs: [dx], dWeights };
}
