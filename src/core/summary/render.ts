/**
 * model.summary() as Keras 3 prints it (keras/src/utils/summary_utils.py print_summary), from the
 * normalized model and its Summary. One renderer for the CLI, the panel and the exported report:
 * `kerasSummary()` returns the rows as data (the panel draws them as a table) and the exact text.
 */
import type { Layer, Model, Shape } from '../model';
import { bytesPerElement } from '../dtypes';
import { fmtShape } from '../pyrepr';
import type { Summary, SummaryLayer, SummaryWeight } from '../shapes';
import { connections, kerasGraph } from './graph';
import { printText, richTable, type RichColumn } from './rich';

/**
 * The terminal width Keras sees in a notebook or with output not on a terminal
 * (shutil.get_terminal_size() falls back to 80 columns, and rich's console is 80 wide):
 * line_length = min(88 or 108, 80 - 4) = 76.
 */
export const DEFAULT_COLUMNS = 80;

export interface SummaryOptions {
  /** Terminal width, as Keras reads it from shutil.get_terminal_size() / COLUMNS (default 80). */
  columns?: number;
  /** model.summary(line_length=…): overrides the width derived from `columns`. */
  lineLength?: number;
}

export interface SummaryRow {
  name: string;
  /** The class Keras prints in parentheses. */
  className: string;
  outputShape: string;
  /** Formatted as Keras does: "16,896". */
  params: string;
  /** Functional models that are not sequential-like: "input_h[0][0], input_c[0][0]" or "-". */
  connectedTo?: string;
}

export interface SummaryTotal {
  label: 'Total params' | 'Trainable params' | 'Non-trainable params';
  count: number;
  bytes: number;
  /** "57 (228.00 B)" */
  text: string;
}

export interface KerasSummary {
  modelName: string;
  header: string[];
  /** True when Keras adds the "Connected to" column. */
  connected: boolean;
  rows: SummaryRow[];
  totals: SummaryTotal[];
  lineLength: number;
  /** The printed lines, without the final newline. */
  lines: string[];
}

/** Keras 3's shape format: "(None, 10, 3)", a 1-tuple as "(None)", several outputs as a list. */
export function kerasShape(shapes: Shape[]): string {
  if (shapes.length === 0) return '?';
  if (shapes.length === 1) return fmtShape(shapes[0], false);
  return `[${shapes.map((s) => fmtShape(s, false)).join(', ')}]`;
}

/** Python's f"{n:,}". */
/** 1234567 → "1,234,567" (as Python's "{:,}"); whole numbers by hand, toLocaleString being slow on 100,000 rows. */
export const groupThousands = (n: number): string =>
  Number.isInteger(n) && Math.abs(n) < 1e21
    ? (n < 0 ? '-' : '') + String(Math.abs(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
    : n.toLocaleString('en-US', { maximumFractionDigits: 20 });

/** "{:.2f}" of a binary float: exact value, ties to even (Python), not JavaScript's ties-up toFixed. */
function fixed2(x: number): string {
  const s = x * 100;
  const f = Math.floor(s);
  const d = s - f;
  const n = d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
  const str = String(n).padStart(3, '0');
  return `${str.slice(0, -2)}.${str.slice(-2)}`;
}

/** keras.src.utils.summary_utils.readable_memory_size: "228.00 B", "66.25 KB". */
export function readableMemorySize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  for (const u of units) {
    if (v / 1024 < 1) return `${fixed2(v)} ${u}`;
    v /= 1024;
  }
  return `${fixed2(v)} PB`;
}

function weightsOf(l: SummaryLayer): SummaryWeight[] {
  return l.weights.length ? l.weights : (l.inner ?? []).flatMap(weightsOf);
}

/** Parameter counts and memory as the totals lines of summary() report them. */
export function paramTotals(s: Summary): SummaryTotal[] {
  let trainableBytes = 0;
  let nonTrainableBytes = 0;
  for (const l of s.layers) {
    for (const w of weightsOf(l)) {
      const b = w.params * bytesPerElement(w.dtype);
      if (w.trainable) trainableBytes += b;
      else nonTrainableBytes += b;
    }
  }
  const t = (label: SummaryTotal['label'], count: number, bytes: number): SummaryTotal => ({
    label, count, bytes, text: `${groupThousands(count)} (${readableMemorySize(bytes)})`,
  });
  return [
    t('Total params', s.totalParams, trainableBytes + nonTrainableBytes),
    t('Trainable params', s.trainableParams, trainableBytes),
    t('Non-trainable params', s.nonTrainableParams, nonTrainableBytes),
  ];
}

/** The layers summary() lists, in its order, and whether it adds "Connected to". */
function listed(model: Model, s: Summary): { layers: { layer?: Layer; row: SummaryLayer }[]; connected: boolean; nodes: Set<string> } {
  const rows = new Map(s.layers.map((l) => [l.name, l]));
  const functional = model.className !== 'Sequential' && model.className !== 'Inferred' && model.outputs.length > 0;
  if (functional) {
    const g = kerasGraph(model);
    const layers = g.layers.filter((l) => rows.has(l.name)).map((l) => ({ layer: l, row: rows.get(l.name) as SummaryLayer }));
    if (layers.length === s.layers.length) return { layers, connected: !g.sequentialLike, nodes: g.nodes };
  }
  const byName = new Map(model.layers.map((l) => [l.name, l]));
  return { layers: s.layers.map((row) => ({ layer: byName.get(row.name), row })), connected: false, nodes: new Set() };
}

/** Everything model.summary() prints, as rows and as text. */
export function kerasSummary(model: Model, s: Summary, opts: SummaryOptions = {}): KerasSummary {
  const columns = opts.columns ?? DEFAULT_COLUMNS;
  const { layers, connected, nodes } = listed(model, s);
  const positions = connected ? [0.3, 0.56, 0.74, 1.0] : [0.45, 0.8, 1.0];
  const header = connected ? ['Layer (type)', 'Output Shape', 'Param #', 'Connected to'] : ['Layer (type)', 'Output Shape', 'Param #'];
  const lineLength = opts.lineLength ?? Math.min(connected ? 108 : 88, columns - 4);
  let current = 0;
  const cols: RichColumn[] = positions.map((p, i) => {
    const width = Math.trunc(p * lineLength) - current;
    if (width < 4) throw new Error('Insufficient console width to print summary.');
    current += width;
    return { header: header[i], justify: i === 2 ? 'right' : 'left', width };
  });
  const rows: SummaryRow[] = layers.map(({ layer, row }) => ({
    name: row.name,
    className: row.className,
    outputShape: kerasShape(row.outputShape),
    params: groupThousands(row.params),
    ...(connected ? { connectedTo: layer ? connections(layer, nodes) : '-' } : {}),
  }));
  const cells = rows.map((r) => [`${r.name} (${r.className})`, r.outputShape, r.params, ...(connected ? [r.connectedTo ?? '-'] : [])]);
  const totals = paramTotals(s);
  // rich crops each printed line of the table to the console width; text lines are wrapped to it.
  const table = richTable(cols, cells, lineLength).map((l) => (l.length > columns ? l.slice(0, columns) : l));
  const lines = [
    ...printText(`Model: "${s.modelName}"`, columns),
    ...table,
    ...totals.flatMap((t) => printText(` ${t.label}: ${t.text}`, columns)),
  ];
  return { modelName: s.modelName, header, connected, rows, totals, lineLength, lines };
}

/** model.summary() text (no final newline). */
export function summaryText(model: Model, s: Summary, opts: SummaryOptions = {}): string {
  return kerasSummary(model, s, opts).lines.join('\n');
}
