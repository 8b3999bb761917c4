/** Backward step of Embedding: the gradient of We is dL/dx_t added to the row of each looked-up id. */
import type { Layer, NDArray } from '../model';
import type { BackwardCtx, BackwardResult, Tensor } from './types';
import { cfg, matchWeights, one } from './util';
import { isTrainable } from './backwardUtil';

export function embeddingBackward(layer: Layer, inputs: Tensor[], _outputs: Tensor[], dOutputs: (NDArray | null)[], _ctx: BackwardCtx): BackwardResult {
  const ids = one(layer, inputs).array.data;
  const V = Number(cfg(layer).input_dim);
  const E = Number(cfg(layer).output_dim);
  const dy = dOutputs[0];
  if (!dy || !isTrainable(layer)) return { dInputs: [null], dWeights: [] };
  const dWe = new Float64Array(V * E);
  for (let i = 0; i < ids.length; i++) {
    const o = ids[i] * E;
    for (let j = 0; j < E; j++) dWe[o + j] += dy.data[i * E + j];
  }
  const [w] = matchWeights(layer.weights, [{ role: 'embeddings', shape: [V, E], trainable: true }]);
  return { dInputs: [null], dWeights: [{ path: 'embeddings', shape: [V, E], data: dWe, weight: w }] };
}
