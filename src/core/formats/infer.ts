/**
 * Rebuilding a model from weights alone (files without a model config): the class of each layer
 * from its name and weight shapes, the units from the shapes, return_sequences from what follows.
 *
 * kernel (D, k·M) + recurrent_kernel (M, k·M): k = 1 SimpleRNN, 3 GRU, 4 LSTM.
 */
import type { Layer, Weight } from '../model';
import type { Graph } from './kerasConfig';
import { attachWeights, isRecurrentClass } from './weights';

export interface StoredLayer {
  /** The stored name or key: "lstm_1", "gru_3", "dense". */
  name: string;
  /** Class if the container says it (Keras 3 keys are snake_cased class names). */
  classHint?: string;
  weights: Weight[];
}

const PREFIX_CLASSES: [RegExp, string][] = [
  [/^simple_?rnn/i, 'SimpleRNN'],
  [/^cu_?dnn_?lstm/i, 'LSTM'],
  [/^cu_?dnn_?gru/i, 'GRU'],
  [/^lstm/i, 'LSTM'],
  [/^gru/i, 'GRU'],
  [/^bidirectional/i, 'Bidirectional'],
  [/^time_?distributed/i, 'TimeDistributed'],
  [/^embedding/i, 'Embedding'],
  [/^batch_?normalization/i, 'BatchNormalization'],
  [/^layer_?normalization/i, 'LayerNormalization'],
  [/^spatial_?dropout1d/i, 'SpatialDropout1D'],
  [/^dropout/i, 'Dropout'],
  [/^repeat_?vector/i, 'RepeatVector'],
  [/^activation/i, 'Activation'],
  [/^flatten/i, 'Flatten'],
  [/^masking/i, 'Masking'],
  [/^conv1d/i, 'Conv1D'],
  [/^max_?pooling1d/i, 'MaxPooling1D'],
  [/^global_?average_?pooling1d/i, 'GlobalAveragePooling1D'],
  [/^global_?max_?pooling1d/i, 'GlobalMaxPooling1D'],
  [/^dense/i, 'Dense'],
];

export function classFromName(name: string): string | undefined {
  return PREFIX_CLASSES.find(([re]) => re.test(name))?.[1];
}

/** Class of a layer from its weight shapes alone. */
function classFromShapes(ws: Weight[]): string | undefined {
  const byRole = (r: string) => ws.find((w) => w.role === r);
  const rk = byRole('recurrent_kernel') ?? (ws.length >= 2 && ws[1].shape.length === 2 ? ws[1] : undefined);
  const k = byRole('kernel') ?? ws[0];
  if (ws.length === 12) return 'LSTM'; // Keras 1 per-gate
  if (ws.length === 9) return 'GRU';
  if (rk && k && k.shape.length === 2 && rk.shape.length === 2 && rk.shape[1] % rk.shape[0] === 0 && k.shape[1] === rk.shape[1] && ws.length <= 3) {
    const ratio = rk.shape[1] / rk.shape[0];
    if (ratio === 1) return 'SimpleRNN';
    if (ratio === 4) return 'LSTM';
    if (ratio === 3) return 'GRU';
  }
  if (k && k.shape.length === 2) return 'Dense';
  if (ws.length === 4 && ws.every((w) => w.shape.length === 1)) return 'BatchNormalization';
  return undefined;
}

function recurrentUnits(ws: Weight[]): number {
  const rk = ws.find((w) => w.role === 'recurrent_kernel') ?? ws[1];
  if (ws.length === 12 || ws.length === 9) return ws[0].shape[1]; // Keras 1 per-gate W (D, M)
  return rk.shape[0];
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
    const cls = s.classHint ?? classFromName(s.name) ?? classFromShapes(s.weights) ?? (s.weights.length ? 'Unknown' : 'Dropout');
    const layer: Layer = { name: s.name, className: cls, config: { name: s.name }, weights: [], inbound: [] };
    if (cls === 'Bidirectional' || cls === 'TimeDistributed') {
      const half = cls === 'Bidirectional' ? s.weights.length / 2 : s.weights.length;
      const innerWs = s.weights.slice(0, half);
      const innerCls = classFromShapes(innerWs.map((w, i) => ({ ...w, role: w.role || ['kernel', 'recurrent_kernel', 'bias'][i] }))) ?? 'Dense';
      const mk = (name: string, backwards: boolean): Layer => ({ name, className: innerCls, config: { name, go_backwards: backwards }, weights: [], inbound: [] });
      layer.inner = cls === 'Bidirectional' ? [mk(`forward_${s.name}`, false), mk(`backward_${s.name}`, true)] : [mk(s.name.replace(/^time_distributed/, 'dense'), false)];
      layer.config.layer = { class_name: innerCls, config: layer.inner[0].config };
      if (cls === 'Bidirectional') layer.config.merge_mode = 'concat';
    }
    attachWeights(layer, s.weights);
    const target = layer.inner?.[0] ?? layer;
    if (isRecurrentClass(target.className)) {
      target.config.units = recurrentUnits(target.weights);
      target.config.activation = 'tanh';
      if (target.className !== 'SimpleRNN') target.config.recurrent_activation = 'sigmoid';
      if (target.className === 'GRU') {
        const b = target.weights.find((w) => w.role === 'bias');
        target.config.reset_after = !!b && b.shape.length === 2;
      }
      target.config.use_bias = target.weights.some((w) => w.role === 'bias');
      if (layer.inner) for (const inner of layer.inner.slice(1)) Object.assign(inner.config, { ...target.config, name: inner.name, go_backwards: true });
    } else if (target.className === 'Dense') {
      const k = target.weights.find((w) => w.role === 'kernel');
      target.config.units = k ? k.shape[k.shape.length - 1] : null;
      target.config.activation = 'linear';
      target.config.use_bias = target.weights.some((w) => w.role === 'bias');
    } else if (target.className === 'Embedding') {
      const e = target.weights[0];
      if (e) Object.assign(target.config, { input_dim: e.shape[0], output_dim: e.shape[1] });
    } else if (target.className === 'Dropout') {
      target.config.rate = 0;
    } else if (target.className === 'Activation') {
      target.config.activation = 'linear';
      notes.push(`activation of layer ${layer.name} unknown (no config): taken as linear`);
    } else if (target.className === 'RepeatVector') {
      target.config.n = null;
      notes.push(`repeat count of layer ${layer.name} unknown (no config)`);
    }
    if (layer.inner?.length === 1) layer.config.layer = { class_name: layer.inner[0].className, config: layer.inner[0].config };
    layers.push(layer);
  }
  // return_sequences: a recurrent layer feeds a sequence to what follows unless a Dense, RepeatVector or nothing comes next.
  const weighted = layers.filter((l) => !['Dropout', 'SpatialDropout1D', 'Activation', 'BatchNormalization', 'Masking', 'LayerNormalization'].includes(l.className));
  weighted.forEach((l, i) => {
    const target = l.inner?.[0] ?? l;
    if (!isRecurrentClass(target.className) || l.className === 'TimeDistributed') return;
    const next = weighted[i + 1];
    const rs = !!next && (isRecurrentClass((next.inner?.[0] ?? next).className) && next.className !== 'TimeDistributed' || next.className === 'TimeDistributed');
    for (const t of l.inner ?? [l]) t.config.return_sequences = rs;
  });
  const first = layers.find((l) => l.weights.length > 0);
  let batchShape: (number | null)[] | null = null;
  if (first) {
    const target = first.inner?.[0] ?? first;
    const width = inputWidth(target);
    if (target.className === 'Embedding') batchShape = [null, null];
    else if (isRecurrentClass(target.className) || first.className === 'TimeDistributed') batchShape = [null, null, width];
    else if (target.className === 'Dense') batchShape = [null, width];
  }
  const input: Layer = { name: 'input', className: 'InputLayer', config: { name: 'input', batch_shape: batchShape, dtype: 'float32' }, weights: [], inbound: [[]], implicit: true };
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
