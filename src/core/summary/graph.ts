/**
 * The order and connections Keras 3 gives a Functional model's layers (keras/src/ops/function.py
 * map_graph and _build_map), and whether summary() treats it as "sequential-like" (no
 * "Connected to" column): every depth holds one node with at most one input tensor and no layer
 * is called twice.
 */
import type { Layer, Model, TensorRef } from '../model';

interface Node {
  layer: Layer;
  index: number;
  key: string;
}

export interface KerasGraph {
  /** model._operations: by depth from the inputs, ties in depth-first traversal order. */
  layers: Layer[];
  sequentialLike: boolean;
  /** The nodes of the model (make_node_key), for "Connected to". */
  nodes: Set<string>;
}

const keyOf = (layer: string, index: number): string => `${layer}\u0000${index}`;

export function kerasGraph(model: Model): KerasGraph {
  const byName = new Map<string, Layer>();
  const collect = (ls: Layer[]): void => {
    for (const l of ls) if (!byName.has(l.name)) byName.set(l.name, l);
  };
  collect(model.layers);
  const nodeOf = (ref: TensorRef): Node | undefined => {
    const layer = byName.get(ref.layer);
    return layer ? { layer, index: ref.node, key: keyOf(layer.name, ref.node) } : undefined;
  };
  const isInput = (n: Node): boolean => (n.layer.inbound[n.index] ?? []).length === 0;
  const parents = (n: Node): Node[] => (isInput(n) ? [] : (n.layer.inbound[n.index] ?? []).map(nodeOf).filter((p): p is Node => !!p));

  // _build_map: depth-first from each output, nodes listed inputs → outputs.
  const finished = new Set<string>();
  const inProgress = new Set<string>();
  const ordered: Node[] = [];
  const opIndex = new Map<Layer, number>();
  // Iterative (a 20,000-layer chain is 20,000 deep): each frame is a node and its next input.
  const visit = (ref: TensorRef): void => {
    const stack: { node: Node; next: number }[] = [];
    const enter = (r: TensorRef): void => {
      const node = nodeOf(r);
      if (!node || finished.has(node.key) || inProgress.has(node.key)) return;
      if (!opIndex.has(node.layer)) opIndex.set(node.layer, opIndex.size);
      inProgress.add(node.key);
      stack.push({ node, next: 0 });
    };
    enter(ref);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const ins = isInput(top.node) ? [] : top.node.layer.inbound[top.node.index] ?? [];
      if (top.next < ins.length) {
        enter(ins[top.next++]);
        continue;
      }
      stack.pop();
      finished.add(top.node.key);
      inProgress.delete(top.node.key);
      ordered.push(top.node);
    }
  };
  for (const out of model.outputs) visit(out);

  // map_graph: depth = operations between the node and an output.
  const inGraph = new Set(ordered.map((n) => n.key));
  const nodeDepth = new Map<string, number>();
  const nodeByKey = new Map(ordered.map((n) => [n.key, n]));
  const opDepth = new Map<Layer, number>();
  for (const node of [...ordered].reverse()) {
    if (!nodeDepth.has(node.key)) nodeDepth.set(node.key, 0);
    const depth = Math.max(nodeDepth.get(node.key) ?? 0, opDepth.get(node.layer) ?? 0);
    opDepth.set(node.layer, depth);
    nodeDepth.set(node.key, depth);
    for (const p of parents(node)) {
      if (!inGraph.has(p.key)) continue;
      nodeDepth.set(p.key, Math.max(depth + 1, nodeDepth.get(p.key) ?? 0));
    }
  }
  for (const ref of model.inputs) {
    const node = nodeOf(ref);
    if (node && !opDepth.has(node.layer) && isInput(node)) {
      opDepth.set(node.layer, 0);
      opIndex.set(node.layer, -1);
      nodeDepth.set(node.key, 0);
      nodeByKey.set(node.key, node);
    }
  }
  const byDepth = new Map<number, Layer[]>();
  for (const [l, d] of opDepth) {
    const at = byDepth.get(d);
    if (at) at.push(l);
    else byDepth.set(d, [l]);
  }
  const layers: Layer[] = [];
  for (const d of [...byDepth.keys()].sort((a, b) => b - a)) {
    const at = byDepth.get(d)!;
    at.sort((a, b) => (opIndex.get(a) ?? 0) - (opIndex.get(b) ?? 0));
    for (const l of at) layers.push(l);
  }

  // print_summary's sequential_like test.
  let sequentialLike = true;
  const perDepth = new Map<number, Node[]>();
  for (const [key, d] of nodeDepth) {
    const n = nodeByKey.get(key);
    if (!n) continue;
    const at = perDepth.get(d);
    if (at) at.push(n);
    else perDepth.set(d, [n]);
  }
  for (const v of perDepth.values()) {
    if (v.length > 1 || (v.length === 1 && !isInput(v[0]) && (v[0].layer.inbound[v[0].index] ?? []).length > 1)) sequentialLike = false;
  }
  const callsInGraph = new Map<Layer, number>();
  for (const key of nodeDepth.keys()) {
    const n = nodeByKey.get(key);
    if (n) callsInGraph.set(n.layer, (callsInGraph.get(n.layer) ?? 0) + 1);
  }
  if ([...callsInGraph.values()].some((c) => c > 1)) sequentialLike = false;
  return { layers, sequentialLike, nodes: new Set(nodeDepth.keys()) };
}

/** "Connected to" of one layer: every input of each of its calls in the model, "name[node][tensor]". */
export function connections(layer: Layer, nodes: Set<string>): string {
  const parts: string[] = [];
  layer.inbound.forEach((call, i) => {
    if (nodes.size && !nodes.has(keyOf(layer.name, i))) return;
    for (const t of call) parts.push(`${t.layer}[${t.node}][${t.tensor}]`);
  });
  return parts.length ? parts.join(', ') : '-';
}
