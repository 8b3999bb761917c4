/**
 * Whether the forward pass can run a layer: its spec has a forward step, its activations are
 * known, and a wrapper's inner layers can run too. `summarize` lists the answers and `forward`
 * refuses a model with the first one.
 */
import type { Layer } from '../model';
import { activationName, resolveActivation } from '../math/activations';
import { getSpec } from './registry';
import { rnnParams } from './recurrent';
import { biParts, tdInner } from './wrappers';

/** Why the forward pass cannot run a layer, or null when it can. */
export function forwardProblem(layer: Layer, kerasVersion?: string): string | null {
  const spec = getSpec(layer.className);
  if (!spec || !spec.forward) return `not supported: ${layer.className} (layer ${layer.name})`;
  if (layer.tensorKwargs?.length) return `not supported: layer ${layer.name} (${layer.className}) is called with a tensor as ${layer.tensorKwargs.map((k) => `${k}=`).join(', ')}`;
  const c = layer.config ?? {};
  const actKeys: unknown[] = [];
  if (['Dense', 'Conv1D', 'Convolution1D', 'Activation'].includes(layer.className)) actKeys.push(c.activation);
  if (spec.recurrent && layer.className !== 'Bidirectional') {
    try {
      const p = rnnParams(layer);
      actKeys.push(p.activation);
      if (p.kind !== 'SimpleRNN') actKeys.push(p.recurrentActivation);
    } catch (e) {
      return (e as Error).message;
    }
  }
  for (const a of actKeys) {
    if (!resolveActivation(a, kerasVersion)) return `not supported: activation '${activationName(a)}' (layer ${layer.name})`;
  }
  if (layer.className === 'Bidirectional') {
    try {
      const [f, b] = biParts(layer);
      if (!['SimpleRNN', 'LSTM', 'GRU', 'RNN', 'CuDNNLSTM', 'CuDNNGRU'].includes(f.className)) {
        return `not supported: Bidirectional(${f.className}) (layer ${layer.name})`;
      }
      return forwardProblem(f, kerasVersion) ?? forwardProblem(b, kerasVersion);
    } catch (e) {
      return (e as Error).message;
    }
  }
  if (layer.className === 'TimeDistributed') {
    try {
      return forwardProblem(tdInner(layer), kerasVersion);
    } catch (e) {
      return (e as Error).message;
    }
  }
  return null;
}
