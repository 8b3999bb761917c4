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
 *
 * The order is that of repeated passes over the layer list, each taking every call whose inputs
 * are ready (so a model listed in dependency order keeps its order), computed in linear time plus
 * one sort: a call's pass is the latest pass of its inputs, one more for an input listed after it.
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
  const index = new Map<string, number>();
  pending.forEach((c, i) => {
    const k = callKey(c.layer.name, c.node);
    if (!index.has(k)) index.set(k, i);
  });
  // Kahn's algorithm over the calls: deps[i] = positions of the calls it needs.
  const deps: number[][] = pending.map(() => []);
  const users: number[][] = pending.map(() => []);
  const missing = new Uint8Array(pending.length);
  const waiting = new Int32Array(pending.length);
  pending.forEach((c, i) => {
    for (const r of [...c.inputs, ...(c.masks ?? [])]) {
      const j = index.get(callKey(r.layer, r.node));
      if (j === undefined || j === i) {
        missing[i] = 1;
        continue;
      }
      deps[i].push(j);
      users[j].push(i);
      waiting[i]++;
    }
  });
  const pass = new Int32Array(pending.length);
  const queue: number[] = [];
  for (let i = 0; i < pending.length; i++) if (!missing[i] && waiting[i] === 0) queue.push(i);
  const resolved = new Uint8Array(pending.length);
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q];
    resolved[i] = 1;
    let p = 1;
    for (const j of deps[i]) p = Math.max(p, j < i ? pass[j] : pass[j] + 1);
    pass[i] = p;
    for (const u of users[i]) if (--waiting[u] === 0 && !missing[u]) queue.push(u);
  }
  const calls = queue.slice().sort((a, b) => pass[a] - pass[b] || a - b).map((i) => pending[i]);
  return { calls, unresolved: pending.filter((_, i) => !resolved[i]) };
}

/** Per layer list: name → the layers that consume one of its outputs (built once, so lookups stay linear). */
const consumerIndex = new WeakMap<Layer[], Map<string, Layer[]>>();

const NONE: readonly Layer[] = [];

/** Layers that consume an output of `name` (a shared list: read it, do not change it). */
export function consumers(model: Model, name: string): readonly Layer[] {
  let index = consumerIndex.get(model.layers);
  if (!index) {
    index = new Map();
    for (const l of model.layers) {
      const from = new Set<string>();
      for (const c of l.inbound ?? []) for (const r of c) from.add(r.layer);
      for (const f of from) {
        const list = index.get(f);
        if (list) list.push(l);
        else index.set(f, [l]);
      }
    }
    consumerIndex.set(model.layers, index);
  }
  return index.get(name) ?? NONE;
}
