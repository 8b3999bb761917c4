/**
 * Turns the core's Summary into what the panel displays (ModelView), and weight tensors or
 * traces into small matrices for heatmaps. No vscode import: the report and the tests use it too.
 */
import { consumers, inputLayerShape, isInputLayer, takesTokens, kerasShape, kerasSummary, type Layer, type Model, type NDArray, type Summary, type SummaryLayer, type SummaryWeight, type Weight } from '../core';
import type { ArraySource, InputSpecView, LayerView, MatrixView, ModelView, WeightView } from '../shared/messages';

/** Heatmaps never draw more than this many rows / columns (larger tensors are subsampled). */
export const MAX_ROWS = 256;
export const MAX_COLS = 512;

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

function layerView(l: SummaryLayer, topName = l.name, model?: Model): LayerView {
  return {
    name: l.name,
    className: l.className,
    outputShape: kerasShape(l.outputShape),
    params: l.params,
    trainableParams: l.trainableParams,
    weights: l.weights.map((w) => weightView(topName, w)),
    inbound: l.inbound,
    arithmetic: l.arithmetic,
    equations: l.equations,
    inner: l.inner?.map((i) => layerView(i, topName)),
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
  const batch = inputLayer ? inputLayerShape(inputLayer, model) : null;
  let perSample: (number | null)[] = batch ? batch.slice(1) : [];
  if (!batch) {
    const { T, D } = summary.dims;
    perSample = [T, D];
  }
  // A leading Embedding takes integer token ids in [0, input_dim).
  const first = (ref ? consumers(model, ref.layer)[0] : undefined) ?? model.layers.find((l) => !isInputLayer(l));
  let integerVocab: number | undefined;
  if (first && takesTokens(first) && typeof first.config.input_dim === 'number') {
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
  const table = kerasSummary(model, summary);
  const [total, trainable, nonTrainable] = table.totals;
  const kerasVersion = summary.kerasVersion ?? model.kerasVersion;
  const layers = summary.layers.map((l) => layerView(l, l.name, model));
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
    summary: { header: table.header, connected: table.connected, rows: table.rows, totals: table.totals },
    summaryText: table.lines.join('\n'),
    totalParams: summary.totalParams,
    trainableParams: summary.trainableParams,
    nonTrainableParams: summary.nonTrainableParams,
    totalBytes: total.bytes,
    trainableBytes: trainable.bytes,
    nonTrainableBytes: nonTrainable.bytes,
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

/** Block boundaries [start, end) of 0…n in at most `max` blocks of equal size (the last may be smaller). */
function blocksOf(n: number, max: number, from = 0): [number, number][] {
  const size = Math.max(1, Math.ceil(n / max));
  const out: [number, number][] = [];
  for (let a = 0; a < n; a += size) out.push([from + a, from + Math.min(n, a + size)]);
  return out;
}

/**
 * A C-order 2-D view of at most MAX_ROWS × MAX_COLS cells: a larger matrix is downsampled here, in
 * the host, each cell the mean of its block of values (a NaN or ±Infinity in a block shows in its
 * cell), so the panel receives a few hundred kilobytes whatever the tensor's size. `groups`
 * (column ranges: the gate blocks of an LSTM / GRU kernel) are downsampled one by one, so that no
 * cell mixes two gates.
 */
export function matrixView(
  data: ArrayLike<number>,
  rows: number,
  cols: number,
  rowLabel: string,
  colLabel: string,
  groups?: [number, number][],
): MatrixView {
  const rb = blocksOf(rows, MAX_ROWS);
  const parts = groups?.length && groups.every(([a, b]) => a >= 0 && b > a && b <= cols) ? groups : [[0, cols] as [number, number]];
  const perGroup = Math.max(1, Math.floor(MAX_COLS / parts.length));
  const cb = parts.flatMap(([a, b]) => blocksOf(b - a, perGroup, a));
  // One pass over the data in storage order: column c adds to cell column cmap[c].
  const cmap = new Int32Array(cols).fill(-1);
  cb.forEach(([a, b], j) => cmap.fill(j, a, b));
  const values = new Array<number>(rb.length * cb.length);
  const acc = new Float64Array(cb.length);
  rb.forEach(([r0, r1], i) => {
    acc.fill(0);
    for (let r = r0; r < r1; r++) {
      const base = r * cols;
      for (let c = 0; c < cols; c++) {
        const j = cmap[c];
        if (j >= 0) acc[j] += data[base + c];
      }
    }
    for (let j = 0; j < cb.length; j++) values[i * cb.length + j] = acc[j] / ((r1 - r0) * (cb[j][1] - cb[j][0]));
  });
  const rowBlock = rb[0] ? rb[0][1] - rb[0][0] : 1;
  const colBlock = cb.reduce((m, [a, b]) => Math.max(m, b - a), 1);
  const even = cb.every(([a], i) => a === i * colBlock);
  return {
    rows: rb.length,
    cols: cb.length,
    values,
    fullRows: rows,
    fullCols: cols,
    rowLabel,
    colLabel,
    ...(rowBlock > 1 ? { rowBlock } : {}),
    ...(colBlock > 1 ? { colBlock } : {}),
    ...(even ? {} : { colStarts: cb.map(([a]) => a) }),
  };
}

/** A weight tensor as a matrix: a vector is one row, N-D tensors fold all but the last axis; gate blocks kept apart. */
export function weightMatrix(w: Weight, notation?: string, blocks?: { columns: [number, number] }[]): MatrixView | null {
  if (!w.data) return null;
  const shape = w.shape.length ? w.shape : [1];
  const cols = shape[shape.length - 1];
  const rows = shape.length === 1 ? 1 : shape.slice(0, -1).reduce((a, b) => a * b, 1);
  const [rl, cl] = (notation ?? '').split('×');
  return matrixView(w.data, rows, cols, shape.length === 1 ? '' : (rl ?? 'rows'), cl ?? rl ?? 'columns', blocks && blocks.length > 1 ? blocks.map((b) => b.columns) : undefined);
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
