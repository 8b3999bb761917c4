/**
 * JSON weight files (docs/formats.md describes each):
 *  (a) the notebook dump {"Wx", "Wh", "bh", "Wo", "bo"} and its aliases;
 *  (b) the list [w.tolist() for w in model.get_weights()], topology inferred from the shapes;
 *  (d) a Keras architecture (model.to_json()) alone: shapes and parameters, no forward pass;
 *  (e) the project's own format, which can also carry sample inputs and expected predictions.
 * TensorFlow.js layers models (c) are in tfjs.ts.
 */
import { InspectorError, type NDArray, type Weight } from '../model';
import type { StoredLayer } from './infer';
import { GUESS, getSpec, recurrentClassOfWidth } from '../layers/registry';
import { arrayFromJson } from '../arrays/json';

/** Arrays in a get_weights() JSON list. */
export const MAX_WEIGHT_LIST = 100_000;

export type JsonKind = 'json-notebook' | 'json-weight-list' | 'tfjs-layers' | 'keras-json-config' | 'rnn-inspector-json';

export function jsonWeight(value: unknown, name: string, role = ''): Weight {
  const t = arrayFromJson(value, '', name);
  return { name, role, shape: t.shape, dtype: 'float64', trainable: true, data: t.data };
}

export function jsonArray(value: unknown, what: string): NDArray {
  return arrayFromJson(value, '', what);
}

const NOTEBOOK_ALIASES: Record<'Wx' | 'Wh' | 'bh' | 'Wo' | 'bo', string[]> = {
  Wx: ['wx', 'w_xh', 'wxh', 'w_x', 'w_ih', 'kernel', 'u'],
  Wh: ['wh', 'w_hh', 'whh', 'w_h', 'recurrent_kernel', 'w'],
  bh: ['bh', 'b_h', 'b_hh', 'bias', 'b'],
  Wo: ['wo', 'w_ho', 'who', 'w_hy', 'why', 'w_o', 'w_out', 'v', 'dense_kernel', 'output_kernel'],
  bo: ['bo', 'b_o', 'b_y', 'by', 'b_out', 'c', 'dense_bias', 'output_bias'],
};

/** Finds the notebook keys (case-insensitive, with aliases) in an object, or undefined. */
export function notebookKeys(obj: Record<string, unknown>): Partial<Record<keyof typeof NOTEBOOK_ALIASES, string>> | undefined {
  const lower = new Map(Object.keys(obj).map((k) => [k.toLowerCase(), k]));
  const found: Partial<Record<keyof typeof NOTEBOOK_ALIASES, string>> = {};
  for (const [sym, aliases] of Object.entries(NOTEBOOK_ALIASES) as [keyof typeof NOTEBOOK_ALIASES, string[]][]) {
    const hit = aliases.find((a) => lower.has(a));
    if (hit) found[sym] = lower.get(hit)!;
  }
  return found.Wx && found.Wh ? found : undefined;
}

export function classifyJson(value: unknown): JsonKind | undefined {
  if (Array.isArray(value)) return value.length > 0 && value.every((w) => Array.isArray(w) || typeof w === 'number') ? 'json-weight-list' : undefined;
  if (!value || typeof value !== 'object') return undefined;
  const o = value as Record<string, any>;
  if (o.format === 'rnn-inspector' || o.rnn_inspector !== undefined) return 'rnn-inspector-json';
  if ((o.modelTopology && o.weightsManifest) || o.format === 'layers-model') return 'tfjs-layers';
  if (typeof o.class_name === 'string' && o.config !== undefined) return 'keras-json-config';
  if (notebookKeys(o) || isLayerDict(o)) return 'json-notebook';
  return undefined;
}

const ROLE_ORDER = ['embeddings', 'kernel', 'depthwise_kernel', 'pointwise_kernel', 'recurrent_kernel', 'bias', 'gamma', 'beta', 'moving_mean', 'moving_variance'];

/** {"simple_rnn": {"kernel", "recurrent_kernel", "bias"}, "dense": {"kernel", "bias"}}: weights keyed by layer, then by Keras variable name. */
export function isLayerDict(o: Record<string, unknown>): boolean {
  const vals = Object.values(o);
  return (
    vals.length > 0 &&
    vals.every((v) => v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length > 0 && Object.keys(v).every((k) => ROLE_ORDER.includes(k.toLowerCase())))
  );
}

export function readLayerDict(o: Record<string, Record<string, unknown>>): StoredLayer[] {
  return Object.entries(o).map(([name, ws]) => {
    const keys = Object.keys(ws).sort((a, b) => ROLE_ORDER.indexOf(a.toLowerCase()) - ROLE_ORDER.indexOf(b.toLowerCase()));
    return { name, weights: keys.map((k) => jsonWeight(ws[k], `${name}/${k}`, k.toLowerCase())) };
  });
}

export interface NotebookDump {
  stored: StoredLayer[];
  activation?: string;
  samples: { inputs?: NDArray[]; expected?: NDArray[] };
}

/** Checks the notebook shapes: Wx D×M, Wh M×M, bh M, Wo M×K, bo K. */
export function readNotebookDump(o: Record<string, unknown>): NotebookDump {
  const keys = notebookKeys(o)!;
  const w = (sym: keyof typeof NOTEBOOK_ALIASES, role: string) => (keys[sym] ? jsonWeight(o[keys[sym]!], keys[sym]!, role) : undefined);
  const Wx = w('Wx', 'kernel')!;
  const Wh = w('Wh', 'recurrent_kernel')!;
  const bh = w('bh', 'bias');
  const Wo = w('Wo', 'kernel');
  const bo = w('bo', 'bias');
  const dims = (x: Weight) => x.shape.join('×');
  if (Wx.shape.length !== 2) throw new InspectorError('', `${Wx.name} must be a D×k·M matrix, got shape ${dims(Wx)}`);
  if (Wh.shape.length !== 2 || Wh.shape[1] !== Wx.shape[1] || Wh.shape[1] % Wh.shape[0] !== 0) {
    throw new InspectorError('', `${Wh.name} is ${dims(Wh)} but ${Wx.name} is ${dims(Wx)}: the recurrent matrix must be M×M (M×4M for LSTM, M×3M for GRU) with the same width as ${Wx.name}`);
  }
  const width = Wx.shape[1];
  const M = Wh.shape[0];
  if (bh && !(bh.shape.length === 1 && bh.shape[0] === width) && !(bh.shape.length === 2 && bh.shape[0] === 2 && bh.shape[1] === width)) {
    throw new InspectorError('', `${bh.name} has shape ${dims(bh)}; expected ${width}`);
  }
  const rnn: StoredLayer = { name: 'rnn', weights: [Wx, Wh, ...(bh ? [bh] : [])] };
  const stored: StoredLayer[] = [rnn];
  if (Wo) {
    if (Wo.shape.length !== 2 || Wo.shape[0] !== M) throw new InspectorError('', `${Wo.name} is ${dims(Wo)}; expected M×K with M = ${M}`);
    if (bo && !(bo.shape.length === 1 && bo.shape[0] === Wo.shape[1])) throw new InspectorError('', `${bo.name} has shape ${dims(bo)}; expected K = ${Wo.shape[1]}`);
    stored.push({ name: 'dense', classHint: GUESS.dense, weights: [Wo, ...(bo ? [bo] : [])] });
  }
  const lower = new Map(Object.keys(o).map((k) => [k.toLowerCase(), k]));
  const pick = (names: string[]) => names.map((n) => lower.get(n)).find((k) => k !== undefined);
  const xKey = pick(['x', 'inputs', 'input']);
  const yKey = pick(['y', 'yhat', 'y_hat', 'expected', 'predictions']);
  const samples: NotebookDump['samples'] = {};
  if (xKey) samples.inputs = [jsonArray(o[xKey], xKey)];
  if (yKey) samples.expected = [jsonArray(o[yKey], yKey)];
  const actKey = pick(['activation']);
  const act = actKey ? o[actKey] : undefined;
  if (act !== undefined && act !== null && typeof act !== 'string') throw new InspectorError('', `"${actKey}" is ${typeof act === 'object' ? 'not a name' : JSON.stringify(act)}, not an activation name such as "tanh"`);
  return { stored, activation: typeof act === 'string' ? act : undefined, samples };
}

/**
 * [w.tolist() for w in model.get_weights()] → stored layers, grouping consecutive tensors by shape:
 * recurrent (kernel D×kM, recurrent M×kM, bias), Dense (kernel, bias), Embedding (a first matrix
 * not followed by a bias).
 */
export function groupWeightList(list: unknown[], notes: string[]): StoredLayer[] {
  if (list.length > MAX_WEIGHT_LIST) throw new InspectorError('', `the weight list holds ${list.length} entries, more than ${MAX_WEIGHT_LIST} weights`);
  // get_weights() gives one array per weight: a bare number is not one (a flat list of numbers is not a weight list).
  const bare = list.findIndex((v) => !Array.isArray(v));
  if (bare >= 0) throw new InspectorError('', `weights[${bare}] is ${typeof list[bare] === 'number' ? 'a number' : 'not a list'}, not an array: a get_weights() list holds one array per weight`);
  const ws = list.map((v, i) => jsonWeight(v, `weights[${i}]`));
  const out: StoredLayer[] = [];
  let i = 0;
  let n = 0;
  while (i < ws.length) {
    const a = ws[i];
    const b = ws[i + 1];
    const c = ws[i + 2];
    if (a.shape.length === 2 && b?.shape.length === 2 && b.shape[1] === a.shape[1] && b.shape[1] % b.shape[0] === 0) {
      const withBias = !!c && ((c.shape.length === 1 && c.shape[0] === a.shape[1]) || (c.shape.length === 2 && c.shape[0] === 2 && c.shape[1] === a.shape[1]));
      const k = b.shape[1] / b.shape[0];
      const cls = recurrentClassOfWidth(k);
      if (cls) {
        out.push({ name: `${getSpec(cls)!.names![0]}_${n++}`, classHint: cls, weights: withBias ? [a, b, c!] : [a, b] });
        i += withBias ? 3 : 2;
        continue;
      }
    }
    if (a.shape.length === 2 && b?.shape.length === 1 && b.shape[0] === a.shape[1]) {
      out.push({ name: `dense_${n++}`, classHint: GUESS.dense, weights: [a, b] });
      i += 2;
      continue;
    }
    if (a.shape.length === 2 && out.length === 0) {
      out.push({ name: `embedding_${n++}`, classHint: GUESS.embedding, weights: [a] });
      notes.push(`weights[${i}] (${a.shape.join('×')}) taken as an Embedding table V×E`);
      i += 1;
      continue;
    }
    if (a.shape.length === 2) {
      out.push({ name: `dense_${n++}`, classHint: GUESS.dense, weights: [a] });
      notes.push(`weights[${i}] (${a.shape.join('×')}) taken as a Dense kernel without bias`);
      i += 1;
      continue;
    }
    throw new InspectorError('', `cannot tell which layer weights[${i}] (shape ${a.shape.join('×') || 'scalar'}) belongs to`);
  }
  for (const l of out) l.weights.forEach((w, j) => (w.role = ['kernel', 'recurrent_kernel', 'bias'][j] ?? w.role));
  for (const l of out) if (l.classHint === GUESS.dense) l.weights.forEach((w, j) => (w.role = ['kernel', 'bias'][j]));
  for (const l of out) if (l.classHint === GUESS.embedding) l.weights[0].role = 'embeddings';
  return out;
}
