/**
 * Rebuilding a model from weights alone (files without a model config): the class of each layer
 * from its name and weight shapes, the units from the shapes, return_sequences from what follows.
 *
 * kernel (D, k·M) + recurrent_kernel (M, k·M): k = 1 SimpleRNN, 3 GRU, 4 LSTM.
 */
import type { Layer, Weight } from '../model';
import type { Graph } from './kerasConfig';
import { attachWeights } from './weights';
import { GUESS, classFromName, classFromWeights, getSpec, isPlainRecurrent } from '../layers/registry';
import { INPUT_LAYER } from '../layers/core';

export interface StoredLayer {
  /** The stored name or key: "lstm_1", "gru_3", "dense". */
  name: string;
  /** Class if the container says it (Keras 3 keys are snake_cased class names). */
  classHint?: string;
  weights: Weight[];
}

function inputWidth(l: Layer): number | null {
  const k = l.weights.find((w) => w.role === 'kernel' || w.role === 'embeddings');
  return k ? k.shape[0] : null;
}

/**
 * Builds a Sequential graph from stored layers in order. Notes say what was guessed.
 * The weights are attached (roles, Keras 1 conversion) as for any other reader.
 */
export function inferGraph(stored: StoredLayer[], notes: string[]): Graph {
  const layers: Layer[] = [];
  for (const s of stored) {
    const cls = s.classHint ?? classFromName(s.name) ?? classFromWeights(s.weights) ?? (s.weights.length ? 'Unknown' : GUESS.weightless);
    const layer: Layer = { name: s.name, className: cls, config: { name: s.name }, weights: [], inbound: [] };
    getSpec(cls)?.inferInner?.(layer, s.weights, classFromWeights);
    attachWeights(layer, s.weights);
    const target = layer.inner?.[0] ?? layer;
    getSpec(target.className)?.inferConfig?.(target, notes, layer.name);
    if (isPlainRecurrent(target.className) && layer.inner) {
      for (const inner of layer.inner.slice(1)) Object.assign(inner.config, { ...target.config, name: inner.name, go_backwards: true });
    }
    if (layer.inner?.length === 1) layer.config.layer = { class_name: layer.inner[0].className, config: layer.inner[0].config };
    layers.push(layer);
  }
  // return_sequences: a recurrent layer feeds a sequence to what follows unless a Dense, RepeatVector or nothing comes next.
  const perStep = (l: Layer): boolean => getSpec(l.className)?.wraps === 1;
  const weighted = layers.filter((l) => !getSpec(l.className)?.transparent);
  weighted.forEach((l, i) => {
    const target = l.inner?.[0] ?? l;
    if (!isPlainRecurrent(target.className) || perStep(l)) return;
    const next = weighted[i + 1];
    const rs = !!next && ((isPlainRecurrent((next.inner?.[0] ?? next).className) && !perStep(next)) || perStep(next));
    for (const t of l.inner ?? [l]) t.config.return_sequences = rs;
  });
  const first = layers.find((l) => l.weights.length > 0);
  let batchShape: (number | null)[] | null = null;
  if (first) {
    const target = first.inner?.[0] ?? first;
    const width = inputWidth(target);
    const takes = getSpec(target.className)?.input;
    if (takes === 'tokens') batchShape = [null, null];
    else if (takes === 'sequence' || perStep(first)) batchShape = [null, null, width];
    else if (takes === 'vector') batchShape = [null, width];
  }
  const input: Layer = { name: 'input', className: INPUT_LAYER, config: { name: 'input', batch_shape: batchShape, dtype: 'float32' }, weights: [], inbound: [[]], implicit: true };
  const all = [input, ...layers];
  for (let i = 1; i < all.length; i++) all[i].inbound = [[{ layer: all[i - 1].name, node: 0, tensor: 0 }]];
  notes.push('topology inferred from weight shapes (no model config in the file): layer classes from names and kernel shapes (D×k·M, M×k·M: k = 1 SimpleRNN, 3 GRU, 4 LSTM), activations taken as Keras defaults, sequence length T unknown');
  return {
    name: 'inferred',
    className: 'Inferred',
    layers: all,
    inputs: [{ layer: 'input', node: 0, tensor: 0 }],
    outputs: [{ layer: all[all.length - 1].name, node: 0, tensor: 0 }],
  };
}
