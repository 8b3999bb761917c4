/**
 * The graph a model config describes, checked before anything walks it: unique layer names,
 * every reference naming a layer and a call that exist, inputs and outputs that exist, and no
 * cycle. Each lie ends in one message naming the layers, e.g. "the model config has a cycle:
 * a → b → a". Linear time (maps, an iterative walk).
 */
import { InspectorError, type Layer, type TensorRef } from '../model';
import { isInputLayer } from '../layers/core';

/** The parts of a Graph (kerasConfig.ts) it checks. */
export interface GraphParts {
  layers: Layer[];
  inputs: TensorRef[];
  outputs: TensorRef[];
}

export function checkGraph(g: GraphParts): void {
  const byName = new Map<string, Layer>();
  for (const l of g.layers) {
    if (byName.has(l.name)) throw new InspectorError('', `two layers in the model config are named "${l.name}"`);
    byName.set(l.name, l);
  }
  const calls = (l: Layer): number => Math.max(1, l.inbound.length);
  const check = (r: TensorRef, what: string): void => {
    const p = byName.get(r.layer);
    if (!p) throw new InspectorError('', `${what} "${r.layer}", which the model config does not have`);
    if (r.node >= calls(p)) throw new InspectorError('', `${what} call ${r.node} of "${r.layer}", but "${r.layer}" is called ${calls(p) === 1 ? 'once' : `${calls(p)} times`}`);
  };
  for (const l of g.layers) {
    if (isInputLayer(l)) continue;
    l.inbound.forEach((c, i) => {
      // Only an InputLayer starts the graph: a call without an input tensor is a broken record.
      if (!c.length) throw new InspectorError('', `layer "${l.name}": ${l.inbound.length > 1 ? `call ${i}` : 'its call'} takes no input tensor (its inbound node lists none)`);
      for (const r of c) check(r, `layer "${l.name}" takes its input from`);
    });
  }
  for (const r of g.inputs) {
    check(r, 'the model input is');
    if (!isInputLayer(byName.get(r.layer)!)) throw new InspectorError('', `the model input is "${r.layer}", which is not an InputLayer`);
  }
  for (const r of g.outputs) check(r, 'the model output is');

  // Cycles: Kahn's algorithm over the calls, numbered base[layer] + node; what is left holds a
  // cycle, which is then walked back.
  const index = new Map<string, number>();
  const base = new Int32Array(g.layers.length + 1);
  g.layers.forEach((l, i) => {
    index.set(l.name, i);
    base[i + 1] = base[i] + calls(l);
  });
  const total = base[g.layers.length];
  const owner = new Int32Array(total);
  const waiting = new Int32Array(total);
  const deps: number[][] = new Array(total);
  const users: number[][] = new Array(total);
  g.layers.forEach((l, i) => {
    for (let n = 0; n < calls(l); n++) {
      const id = base[i] + n;
      owner[id] = i;
      const refs = isInputLayer(l) ? [] : l.inbound[n] ?? [];
      const ds: number[] = [];
      for (const r of refs) ds.push(base[index.get(r.layer)!] + r.node);
      deps[id] = ds;
      waiting[id] = ds.length;
    }
  });
  for (let id = 0; id < total; id++) for (const d of deps[id]) (users[d] ??= []).push(id);
  const queue: number[] = [];
  for (let id = 0; id < total; id++) if (waiting[id] === 0) queue.push(id);
  for (let q = 0; q < queue.length; q++) for (const u of users[queue[q]] ?? []) if (--waiting[u] === 0) queue.push(u);
  if (queue.length === total) return;
  let at = waiting.findIndex((w) => w > 0);
  const seenAt = new Map<number, number>();
  const path: number[] = [];
  while (!seenAt.has(at)) {
    seenAt.set(at, path.length);
    path.push(at);
    at = deps[at].find((d) => waiting[d] > 0)!;
  }
  const cycle = [...path.slice(seenAt.get(at)!), at].reverse().map((id) => g.layers[owner[id]].name);
  throw new InspectorError('', `the model config has a cycle: ${cycle.join(' → ')}`);
}
