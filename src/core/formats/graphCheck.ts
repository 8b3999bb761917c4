/**
 * The graph a model config describes, checked before anything walks it: unique layer names,
 * every reference naming a layer and a call that exist, inputs and outputs that exist, and no
 * cycle. Each lie ends in one message naming the layers, e.g. "the model config has a cycle:
 * a → b → a". Linear time (maps, an iterative walk).
 */
import { InspectorError, type Layer, type TensorRef } from '../model';
import { isInputLayer } from '../layers/core';

const key = (layer: string, node: number): string => `${layer}\u0000${node}`;

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

  // Cycles: Kahn's algorithm over the calls; what is left holds a cycle, which is then walked.
  const deps = new Map<string, string[]>();
  for (const l of g.layers) {
    if (isInputLayer(l) || l.inbound.length === 0) deps.set(key(l.name, 0), []);
    else l.inbound.forEach((c, i) => deps.set(key(l.name, i), c.map((r) => key(r.layer, r.node))));
  }
  const waiting = new Map<string, number>();
  const users = new Map<string, string[]>();
  for (const [k, ds] of deps) {
    waiting.set(k, ds.length);
    for (const d of ds) {
      const u = users.get(d);
      if (u) u.push(k);
      else users.set(d, [k]);
    }
  }
  const queue = [...deps.keys()].filter((k) => waiting.get(k) === 0);
  let done = 0;
  for (let q = 0; q < queue.length; q++) {
    done++;
    for (const u of users.get(queue[q]) ?? []) {
      const w = waiting.get(u)! - 1;
      waiting.set(u, w);
      if (w === 0) queue.push(u);
    }
  }
  if (done === deps.size) return;
  // Walk back from a call still waiting, through inputs still waiting, until one repeats.
  let at = [...waiting.entries()].find(([, w]) => w > 0)![0];
  const seenAt = new Map<string, number>();
  const path: string[] = [];
  while (!seenAt.has(at)) {
    seenAt.set(at, path.length);
    path.push(at);
    at = deps.get(at)!.find((d) => (waiting.get(d) ?? 0) > 0)!;
  }
  const cycle = [...path.slice(seenAt.get(at)!), at].reverse().map((k) => k.split('\u0000')[0]);
  throw new InspectorError('', `the model config has a cycle: ${cycle.join(' → ')}`);
}
