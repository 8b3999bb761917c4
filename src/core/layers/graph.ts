/**
 * The model graph as a list of layer calls in dependency order, shared by the shape pass and the
 * forward pass. A call is one Keras "inbound node"; its outputs are addressed as layer#node.
 */
import type { Layer, Model, TensorRef } from '../model';

export interface Call {
  layer: Layer;
  node: number;
  inputs: TensorRef[];
  /** Tensors passed as `mask=` (Keras 3 records them): applied as the inputs' masks, in order. */
  masks?: TensorRef[];
}

/** Splits a call's inbound tensors into its inputs and its `mask=` tensors. */
function call(layer: Layer, node: number, refs: TensorRef[]): Call {
  const m = layer.maskRefs?.[node] ?? 0;
  return m ? { layer, node, inputs: refs.slice(0, refs.length - m), masks: refs.slice(refs.length - m) } : { layer, node, inputs: refs };
}

export const callKey = (layer: string, node: number): string => `${layer}#${node}`;

/**
 * Calls in an order where every input is produced before it is consumed. Calls whose inputs can
 * never be produced (a reference to a missing layer, a cycle) are returned in `unresolved`.
 */
export function schedule(model: Model): { calls: Call[]; unresolved: Call[] } {
  const pending: Call[] = [];
  for (const layer of model.layers) {
    if (layer.className === 'InputLayer' || !layer.inbound || layer.inbound.length === 0) {
      pending.push({ layer, node: 0, inputs: layer.inbound?.[0] ?? [] });
      continue;
    }
    layer.inbound.forEach((inputs, node) => pending.push(call(layer, node, inputs)));
  }
  const done = new Set<string>();
  const calls: Call[] = [];
  let progress = true;
  let rest = pending;
  while (rest.length && progress) {
    progress = false;
    const next: Call[] = [];
    for (const c of rest) {
      if (c.inputs.every((r) => done.has(callKey(r.layer, r.node))) && (c.masks ?? []).every((r) => done.has(callKey(r.layer, r.node)))) {
        calls.push(c);
        done.add(callKey(c.layer.name, c.node));
        progress = true;
      } else next.push(c);
    }
    rest = next;
  }
  return { calls, unresolved: rest };
}

/** Layers that consume an output of `name`. */
export function consumers(model: Model, name: string): Layer[] {
  return model.layers.filter((l) => l.inbound?.some((call) => call.some((r) => r.layer === name)));
}
