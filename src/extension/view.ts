/**
 * Turns the core's Summary into what the panel displays (ModelView), and weight tensors or
 * traces into small matrices for heatmaps. No vscode import: the report and the tests use it too.
 */
import type { Layer, Model, NDArray, Shape, Summary, SummaryLayer, SummaryWeight, Weight } from '../core';
import { fmtInt, readableBytes } from '../shared/format';
import type { ArraySource, InputSpecView, LayerView, MatrixView, ModelView, WeightView } from '../shared/messages';

/** Heatmaps never draw more than this many rows / columns (larger tensors are subsampled). */
export const MAX_ROWS = 256;
export const MAX_COLS = 512;

const pyTuple = (s: Shape): string => {
  const parts = s.map((d) => (d === null ? 'None' : String(d)));
  return `(${parts.join(', ')}${parts.length === 1 ? ',' : ''})`;
};

/** True for files written by Keras 1 / 2 (tf.keras), whose summary() looks different from Keras 3's. */
export const isKeras2 = (version?: string): boolean => /^[12]\./.test(version ?? '');

/**
 * Output shape as model.summary() prints it: "(None, 5)", or a list for several outputs.
 * Keras 2 also prints an InputLayer's shape as a list: "[(None, 10, 3)]".
 */
export function formatOutputShape(shapes: Shape[], className: string, kerasVersion?: string): string {
  if (shapes.length === 0) return '?';
  if (shapes.length === 1 && !(className === 'InputLayer' && isKeras2(kerasVersion))) return pyTuple(shapes[0]);
  return `[${shapes.map(pyTuple).join(', ')}]`;
}

const DTYPE_BYTES: Record<string, number> = {
  float16: 2, bfloat16: 2, float32: 4, float64: 8, int8: 1, uint8: 1, int16: 2, int32: 4, int64: 8, bool: 1,
};
export const dtypeBytes = (dtype: string): number => DTYPE_BYTES[dtype] ?? 4;

/** A layer's tensors; wrappers already list their inner layers' weights, so inner is only a fallback. */
function allWeights(l: SummaryLayer): SummaryWeight[] {
  return l.weights.length ? l.weights : (l.inner ?? []).flatMap(allWeights);
}

export const isRecurrent = (l: SummaryLayer): boolean =>
  allWeights(l).some((w) => w.role === 'recurrent_kernel' || /recurrent|(^|\/)U(_[a-z])?(:0)?$/.test(w.name));

export const weightId = (layer: string, weight: string): string => `${layer}::${weight}`;

function weightView(layer: string, w: SummaryWeight): WeightView {
  return { ...w, id: weightId(layer, w.name) };
}

/** Config keys never shown as settings (identity, dtype policy, nested objects are skipped anyway). */
const HIDDEN_SETTINGS = new Set(['name', 'trainable', 'dtype', 'batch_input_shape', 'batch_shape', 'input_shape', 'input_dim', 'input_length', 'build_config', 'module', 'registered_name']);

const settingText = (v: unknown): string | null => {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return `'${v}'`;
  if (Array.isArray(v) && v.every((x) => x === null || typeof x === 'number')) return `(${v.map((x) => (x === null ? 'None' : String(x))).join(', ')})`;
  if (v && typeof v === 'object' && typeof (v as { class_name?: unknown }).class_name === 'string') return String((v as { class_name: string }).class_name);
  return null;
};

/** A layer's get_config() entries as Keras writes them (a wrapped layer's own settings follow the wrapper's). */
export function layerSettings(layer: Layer | undefined): [string, string][] {
  if (!layer) return [];
  const out: [string, string][] = [];
  const add = (cfg: Record<string, unknown>, prefix: string): void => {
    for (const [k, v] of Object.entries(cfg ?? {})) {
      if (HIDDEN_SETTINGS.has(k) || /_(initializer|regularizer|constraint)$/.test(k)) continue;
      if (v && typeof v === 'object' && !Array.isArray(v) && (v as { config?: unknown }).config && typeof (v as { class_name?: unknown }).class_name === 'string' && /^(layer|forward_layer|backward_layer|cell)$/.test(k)) {
        add((v as { config: Record<string, unknown> }).config, `${k}.`);
        continue;
      }
      const t = settingText(v);
      if (t !== null) out.push([prefix + k, t]);
    }
  };
  add(layer.config ?? {}, '');
  return out;
}

function layerView(l: SummaryLayer, kerasVersion: string | undefined, topName = l.name, model?: Model): LayerView {
  return {
    name: l.name,
    className: l.className,
    outputShape: formatOutputShape(l.outputShape, l.className, kerasVersion),
    params: l.params,
    trainableParams: l.trainableParams,
    weights: l.weights.map((w) => weightView(topName, w)),
    inbound: l.inbound,
    arithmetic: l.arithmetic,
    equations: l.equations,
    inner: l.inner?.map((i) => layerView(i, kerasVersion, topName)),
    forwardSupported: l.forwardSupported,
    recurrent: isRecurrent(l),
    terms: l.terms,
    letters: l.letters,
    outputLetters: l.outputLetters,
    outputShapes: l.outputShape.map((s) => s.slice(1)),
    settings: model ? layerSettings(findLayer(model.layers, l.name)) : [],
    from: ((model && findLayer(model.layers, l.name)?.inbound?.[0]) ?? []).map((r) => ({ layer: r.layer, tensor: r.tensor })),
  };
}

/**
 * model.summary() as the file's Keras prints it: Keras 3's box table (columns 33 / 24 / 15), or
 * Keras 2 / tf.keras's ruled table (29 / 26 / 10) for files written by Keras 1 / 2.
 */
export function summaryText(s: Summary, bytes: { total: number; trainable: number; nonTrainable: number }, kerasVersion?: string): string {
  const totals = [
    `Total params: ${fmtInt(s.totalParams)} (${readableBytes(bytes.total)})`,
    `Trainable params: ${fmtInt(s.trainableParams)} (${readableBytes(bytes.trainable)})`,
    `Non-trainable params: ${fmtInt(s.nonTrainableParams)} (${readableBytes(bytes.nonTrainable)})`,
  ];
  const shape = (l: SummaryLayer): string => formatOutputShape(l.outputShape, l.className, kerasVersion);
  if (isKeras2(kerasVersion)) {
    const pad = (t: string, w: number): string => (t.length >= w - 1 ? t + ' ' : t.padEnd(w));
    const row = (a: string, b: string, c: string): string => ' ' + pad(a, 28) + pad(b, 26) + c;
    const lines = [`Model: "${s.modelName}"`, '_'.repeat(65), row('Layer (type)', 'Output Shape', 'Param #'), '='.repeat(65)];
    s.layers.forEach((l, i) => {
      lines.push(row(`${l.name} (${l.className})`, shape(l), String(l.params)));
      if (i < s.layers.length - 1) lines.push('');
    });
    lines.push('='.repeat(65), ...totals, '_'.repeat(65));
    return lines.join('\n');
  }
  const w = [33, 24, 15];
  const cells = (c: string[], edge: string): string =>
    edge + c.map((t, i) => ` ${i === 2 ? t.padStart(w[i] - 2) : t.padEnd(w[i] - 2)} `).join(edge) + edge;
  const rule = (l: string, m: string, r: string, f: string): string => l + w.map((x) => f.repeat(x)).join(m) + r;
  const lines = [`Model: "${s.modelName}"`, rule('┏', '┳', '┓', '━'), cells(['Layer (type)', 'Output Shape', 'Param #'], '┃'), rule('┡', '╇', '┩', '━')];
  s.layers.forEach((l, i) => {
    lines.push(cells([`${l.name} (${l.className})`, shape(l), fmtInt(l.params)], '│'));
    lines.push(i < s.layers.length - 1 ? rule('├', '┼', '┤', '─') : rule('└', '┴', '┘', '─'));
  });
  lines.push(...totals.map((t) => ` ${t}`));
  return lines.join('\n');
}

function trainableBytes(s: Summary): { total: number; trainable: number; nonTrainable: number } {
  let trainable = 0;
  let nonTrainable = 0;
  for (const l of s.layers) {
    for (const w of allWeights(l)) {
      const b = w.params * dtypeBytes(w.dtype);
      if (w.trainable) trainable += b;
      else nonTrainable += b;
    }
  }
  const total = s.totalBytes || trainable + nonTrainable;
  return { total, trainable, nonTrainable };
}

function findLayer(layers: Layer[], name: string): Layer | undefined {
  for (const l of layers) {
    if (l.name === name) return l;
    const inner = l.inner && findLayer(l.inner, name);
    if (inner) return inner;
  }
  return undefined;
}

/** The shape of one input sample (without N), and the vocabulary of a leading Embedding. */
export function inputSpec(model: Model, summary: Summary): InputSpecView {
  const ref = model.inputs[0];
  const inputLayer = ref ? findLayer(model.layers, ref.layer) : undefined;
  const cfg = inputLayer?.config ?? {};
  const batch = (cfg.batch_input_shape ?? cfg.batch_shape ?? null) as (number | null)[] | null;
  let perSample: (number | null)[] = batch ? batch.slice(1) : [];
  if (!batch) {
    const { T, D } = summary.dims;
    perSample = [T, D];
  }
  // A leading Embedding takes integer token ids in [0, input_dim).
  const consumers = model.layers.filter((l) => ref && l.inbound.some((call) => call.some((t) => t.layer === ref.layer)));
  const first = consumers[0] ?? model.layers.find((l) => l.className !== 'InputLayer');
  let integerVocab: number | undefined;
  if (first?.className === 'Embedding' && typeof first.config.input_dim === 'number') {
    integerVocab = first.config.input_dim;
    if (!batch && perSample.length > 1) perSample = perSample.slice(0, 1);
  }
  return { perSample, integerVocab };
}

export function modelView(
  model: Model,
  summary: Summary,
  sources: { inputs: ArraySource[]; expected: ArraySource[] },
): ModelView {
  const bytes = trainableBytes(summary);
  const kerasVersion = summary.kerasVersion ?? model.kerasVersion;
  const layers = summary.layers.map((l) => layerView(l, kerasVersion, l.name, model));
  const path = model.source.path;
  return {
    file: path,
    fileName: path.split(/[\\/]/).pop() ?? path,
    formatLabel: summary.format.label,
    formatId: summary.format.id,
    kerasVersion,
    backend: model.backend,
    bytes: model.source.bytes,
    modelName: summary.modelName,
    modelClass: summary.modelClass,
    notes: [...model.notes, ...summary.notes.filter((n) => !model.notes.includes(n))],
    unsupported: summary.unsupported,
    hasWeights: model.hasWeights,
    layers,
    summaryText: summaryText(summary, bytes, kerasVersion),
    totalParams: summary.totalParams,
    trainableParams: summary.trainableParams,
    nonTrainableParams: summary.nonTrainableParams,
    totalBytes: bytes.total,
    trainableBytes: bytes.trainable,
    nonTrainableBytes: bytes.nonTrainable,
    dims: summary.dims,
    legend: summary.legend,
    inputs: summary.inputs.map((i) => ({ name: i.name, shape: i.shape.slice(), letters: i.letters })),
    outputNames: [...new Set(model.outputs.map((r) => r.layer))],
    forwardSupported: model.hasWeights && summary.layers.every((l) => l.forwardSupported),
    input: inputSpec(model, summary),
    inputSources: sources.inputs,
    expectedSources: sources.expected,
  };
}

/** Evenly spaced indices: all of them when n <= max. */
function pick(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.floor((i * n) / max));
}

/** A C-order 2-D view, subsampled to at most MAX_ROWS × MAX_COLS. */
export function matrixView(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  rowLabel: string,
  colLabel: string,
): MatrixView {
  const ri = pick(rows, MAX_ROWS);
  const ci = pick(cols, MAX_COLS);
  const values = new Array<number>(ri.length * ci.length);
  let k = 0;
  for (const r of ri) for (const c of ci) values[k++] = Number(data[r * cols + c]);
  return { rows: ri.length, cols: ci.length, values, fullRows: rows, fullCols: cols, rowLabel, colLabel };
}

/** A weight tensor as a matrix: a vector is one row, N-D tensors fold all but the last axis. */
export function weightMatrix(w: Weight, notation?: string): MatrixView | null {
  if (!w.data) return null;
  const shape = w.shape.length ? w.shape : [1];
  const cols = shape[shape.length - 1];
  const rows = shape.length === 1 ? 1 : shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const [rl, cl] = (notation ?? '').split('×');
  return matrixView(w.data, rows, cols, shape.length === 1 ? '' : (rl ?? 'rows'), cl ?? rl ?? 'columns');
}

/** Locates a weight by the id weightView gave it. */
export function findWeight(model: Model, id: string): Weight | undefined {
  const sep = id.indexOf('::');
  const layer = findLayer(model.layers, id.slice(0, sep));
  const name = id.slice(sep + 2);
  const search = (l: Layer): Weight | undefined =>
    l.weights.find((w) => w.name === name) ?? l.inner?.map(search).find(Boolean);
  return layer ? search(layer) : undefined;
}

/** (N, T, M) states → M × T matrix of one sample (time along x). */
export function traceMatrix(states: NDArray, sample: number): MatrixView {
  const [, T, M] = states.shape.length === 3 ? states.shape : [1, 1, states.shape[states.shape.length - 1]];
  const base = sample * T * M;
  const t = new Float64Array(M * T);
  for (let ti = 0; ti < T; ti++) for (let m = 0; m < M; m++) t[m * T + ti] = states.data[base + ti * M + m];
  return matrixView(t, M, T, 'unit', 't');
}
