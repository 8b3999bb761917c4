/**
 * Whether the forward pass can run a layer: its spec has a forward step, its activations are
 * known, and a wrapper's inner layers can run too. `summarize` lists the answers and `forward`
 * refuses a model with the first one.
 */
import type { Layer } from '../model';
import { activationName, resolveActivation } from '../math/activations';
import { getSpec } from './registry';

/** Why the forward pass cannot run a layer, or null when it can. */
export function forwardProblem(layer: Layer, kerasVersion?: string): string | null {
  const spec = getSpec(layer.className);
  if (!spec || !spec.forward) return `not supported: ${layer.className} (layer ${layer.name})`;
  if (layer.tensorKwargs?.length) return `not supported: layer ${layer.name} (${layer.className}) is called with a tensor as ${layer.tensorKwargs.map((k) => `${k}=`).join(', ')}`;
  let acts: unknown[];
  try {
    acts = spec.activations?.(layer) ?? [];
  } catch (e) {
    return (e as Error).message;
  }
  for (const a of acts) {
    if (!resolveActivation(a, kerasVersion)) return `not supported: activation '${activationName(a)}' (layer ${layer.name})`;
  }
  if (spec.problem) {
    try {
      return spec.problem(layer, (inner) => forwardProblem(inner, kerasVersion));
    } catch (e) {
      return (e as Error).message;
    }
  }
  return null;
}
