/**
 * The typed protocol between the extension host and the inspection panel (webview).
 *
 * Both sides import this file; it holds types only (plus a guard), so it adds nothing to either
 * bundle. The webview never imports src/core: everything it draws arrives here, already reduced
 * to what the panel displays (a Remote-SSH user only pays for what is shown).
 *
 * Handshake: the webview posts `ready` once its script runs (again after every reload of a
 * hidden panel); the host answers with `state` (the model or an error) and, if the document has a
 * previous run, `runResult`.
 */

import type { LayerSteps, Letter, SummaryRow, SummaryTotal, SummaryWeight, Term, VerifyReport } from '../core';

// ---------------------------------------------------------------------------------------------
// What the panel shows about a model (a display copy of core's Summary, no weight values)

export type DimView = number | null;

/**
 * The core's SummaryWeight (name, role, shape, dtype, trainable, params, symbol Wx…, notation D×M…,
 * gate blocks) plus an id. Type-only imports from the core are erased: the panel's bundle holds
 * no core code.
 */
export interface WeightView extends SummaryWeight {
  /** Stable id inside the document, used to ask for the values of one tensor (heatmap). */
  id: string;
}

export interface LayerView {
  name: string;
  className: string;
  /** Preformatted as model.summary() prints it: "(None, 5)" or "[(None, 10, 3)]". */
  outputShape: string;
  params: number;
  trainableParams: number;
  weights: WeightView[];
  inbound: string[];
  arithmetic?: string;
  equations?: string[];
  inner?: LayerView[];
  forwardSupported: boolean;
  recurrent: boolean;
  /** The shape of each equation term by its exact text, from the core (letters and numbers). */
  terms?: Record<string, Term>;
  /** Letters this layer introduces. */
  letters?: Letter[];
  /** Each output's axes in letters ("N", "T", "M⁽¹⁾"), numbers where no letter applies. */
  outputLetters?: string[][];
  /** Each output's shape without the batch axis as numbers (null where open). */
  outputShapes: (number | null)[][];
  /** The layer's Keras config entries worth showing (return_sequences, dropout, merge_mode…). */
  settings: [string, string][];
  /** What its (first) call reads: producing layer and which of its outputs. */
  from: { layer: string; tensor: number }[];
}

export type LetterView = Letter;
export type TermView = Term;

export interface DimsView {
  N: DimView;
  T: DimView;
  D: DimView;
  M: number[];
  K: DimView;
}

/** Where inputs or expected predictions can come from. */
export type SourceKind = 'random' | 'file' | 'embedded' | 'none';

export interface ArraySource {
  kind: SourceKind;
  /** Absolute path for kind 'file'. */
  path?: string;
  /** Several files that together hold the arrays (X0.npy, X1.npy… for several model inputs). */
  paths?: string[];
  /** Shown in the drop-down, e.g. "X.npy (sidecar)". */
  label: string;
  /** True when found beside the model by its sidecar name. */
  sidecar?: boolean;
}

export interface InputSpecView {
  /** Shape of one random input batch without N, e.g. [10, 3]; null where the model leaves it open. */
  perSample: DimView[];
  /** Integer inputs in [0, vocab) for models that start with an Embedding. */
  integerVocab?: number;
}

export interface SummaryTableView {
  header: string[];
  /** Keras adds "Connected to" for functional models that are not a chain. */
  connected: boolean;
  rows: SummaryRow[];
  totals: SummaryTotal[];
}

export interface ModelView {
  file: string;
  fileName: string;
  formatLabel: string;
  formatId: string;
  kerasVersion?: string;
  backend?: string;
  bytes: number;
  modelName: string;
  modelClass: string;
  notes: string[];
  unsupported: string[];
  hasWeights: boolean;
  layers: LayerView[];
  /** model.summary()'s table as data, from the core's one renderer (the panel draws it as a table). */
  summary: SummaryTableView;
  /** The same, as the text Keras prints (monospace). */
  summaryText: string;
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  totalBytes: number;
  trainableBytes: number;
  nonTrainableBytes: number;
  dims: DimsView;
  /** Every letter the notation uses (N, T, D, M⁽¹⁾…, K) with value and meaning, in reading order. */
  legend: LetterView[];
  /** Model inputs (the diagram's sources; a Sequential's implicit input too) and output layer names. */
  inputs: { name: string; shape: (number | null)[]; letters: string[] }[];
  outputNames: string[];
  forwardSupported: boolean;
  input: InputSpecView;
  inputSources: ArraySource[];
  expectedSources: ArraySource[];
}

export interface SettingsView {
  atol: number;
  rtol: number;
  defaultSamples: number;
  defaultSeed: number;
  defaultTimesteps: number;
  /** `rnnInspector.precision`: arithmetic of the forward pass. */
  precision: 'f64' | 'f32';
  /** `rnnInspector.hardSigmoid`: 'auto' (the file's writer's definition), 'keras2' or 'keras3'. */
  hardSigmoid: 'auto' | 'keras2' | 'keras3';
}

// ---------------------------------------------------------------------------------------------
// Forward pass requests and results

export interface RunRequest {
  inputs: ArraySource;
  expected: ArraySource;
  seed: number;
  samples: number;
  /** Sequence length for random inputs when the model leaves T open. */
  timesteps: number;
  /** Sample whose hidden states are shown. */
  traceSample: number;
  /** float64 (the exact reference, default) or float32 (Keras's own arithmetic); the host fills in the setting. */
  precision?: 'f64' | 'f32';
  /**
   * hard_sigmoid definition: 'auto' (the file's writer's: Keras 1/2, tf.keras 2, TF.js →
   * clip(0.2x + 0.5); Keras 3 → relu6(x + 3) / 6), or one forced; the host fills in the setting.
   */
  hardSigmoid?: 'auto' | 'keras2' | 'keras3';
}

export interface SampleRow {
  sample: number;
  manual: number[];
  expected?: number[];
  maxAbsDiff?: number;
  pass?: boolean;
}

/** verify()'s report as the core gives it (per output: max |Δ|, mismatches, the worst element). */
export type VerifyView = VerifyReport;

/**
 * A matrix to draw as a heatmap, C order. A large tensor is downsampled in the host: each drawn
 * cell is the mean of a block of rowBlock × colBlock values (the last block of a row or column
 * may be smaller), so a few hundred cells stand for millions of values and nothing is skipped.
 */
export interface MatrixView {
  rows: number;
  cols: number;
  values: number[];
  /** The true size of the tensor (as a matrix) the cells stand for. */
  fullRows: number;
  fullCols: number;
  rowLabel: string;
  colLabel: string;
  /** Rows / columns of the full matrix per drawn cell (1 = every value drawn); default 1. */
  rowBlock?: number;
  colBlock?: number;
  /**
   * The first full column of each drawn column, when the blocks are not all colBlock wide (gate
   * blocks are downsampled one by one, so no drawn column mixes two gates).
   */
  colStarts?: number[];
}

export interface TraceView {
  layer: string;
  className: string;
  direction?: string;
  sample: number;
  /** Rows = hidden units M, columns = time steps T. */
  matrix: MatrixView;
}

export interface RunResult {
  request: RunRequest;
  inputsLabel: string;
  expectedLabel?: string;
  inputShape: number[];
  outputShapes: { name: string; shape: number[] }[];
  samples: number;
  /**
   * The first page of per-sample rows (at most ROW_LIMIT) in `rowOrder`; the rest stay in the host
   * and are asked for a page at a time (`rows` request).
   */
  rows: SampleRow[];
  /** True when there are more than ROW_LIMIT samples (the rows are a page of them). */
  rowsTruncated: boolean;
  /** 'worst' (failing samples first, by max |Δ| descending) when verified and paged, else 'index'. */
  rowOrder: RowOrder;
  /** Samples outside the tolerance (with expected predictions). */
  failingSamples?: number;
  verify?: VerifyView;
  traces: TraceView[];
  elapsedMs: number;
  /** The arithmetic that ran, and whether on the WebAssembly SIMD kernels or the TypeScript ones. */
  precision: 'f64' | 'f32';
  kernels: 'wasm-simd' | 'typescript';
  /**
   * Present when the model uses hard_sigmoid: the definition evaluated, whether the file or the user
   * chose it, in words; `otherMatches` when verification failed but the other definition matches.
   */
  hardSigmoid?: { semantics: 'keras2' | 'keras3'; source: 'file' | 'option'; why: string; otherMatches?: string };
}

/** Rows per page of the per-sample table. */
export const ROW_LIMIT = 50;

/** How the per-sample rows are ordered: worst first (by max |Δ|, failing ones first) or by sample index. */
export type RowOrder = 'worst' | 'index';

/** A page of per-sample rows: rows offset … offset + rows.length − 1 of `total` in `order`. */
export interface RowsPage {
  order: RowOrder;
  offset: number;
  total: number;
  rows: SampleRow[];
}

/** One recurrent layer (or Bidirectional half) stepped over t = 1…T for one sample (core's LayerSteps). */
export type StepsView = LayerSteps;

// ---------------------------------------------------------------------------------------------
// The backward pass (the Gradients section): the panel asks `gradients` with the forward
// section's sources, the host replies `gradientsResult` (src/extension/gradientsPanel.ts).

export type PanelLoss = 'mse' | 'categorical_crossentropy' | 'binary_crossentropy' | 'sparse_categorical_crossentropy';

export interface GradientsRequest {
  /** The forward section's inputs and expected predictions (sources, seed, N, T). */
  run: RunRequest;
  loss: PanelLoss;
  /** 'expected': the expected predictions are the targets; 'perturbed': the model's own predictions plus noise. */
  target: 'expected' | 'perturbed';
  /** Standard deviation of the noise added to the predictions (seeded: np.random.seed(1)). */
  perturbation: number;
  /** η of the one SGD step shown. */
  learningRate: number;
  check: boolean;
}

export interface GradientWeightView {
  path: string;
  /** dL/dWx, dL/dWh… */
  symbol: string;
  notation: string;
  shape: number[];
  norm: number;
  matrix: MatrixView;
  blocks?: { gate: string; columns: [number, number] }[];
}

export interface GradientsView {
  loss: PanelLoss;
  value: number;
  inputsLabel: string;
  targetsLabel: string;
  learningRate: number;
  /** The loss after one step w ← w − η·∂L/∂w. */
  lossAfter: number;
  weights: GradientWeightView[];
  /** ‖∂L/∂h_t‖ for t = 1…T (processing order) per recurrent layer. */
  hidden: { layer: string; direction?: string; norms: number[] }[];
  /** BPTT equations with the shape of each term, per recurrent layer. */
  equations: { layer: string; lines: [string, string][] }[];
  check?: { checked: number; total: number; maxRelError: number; worst: string; pass: boolean };
  elapsedMs: number;
}

// ---------------------------------------------------------------------------------------------
// Messages

/**
 * Host → webview. `weight`, `traces`, `rows` and `sourcePicked` are replies (src/shared/rpc.ts) to
 * the panel's `weight`, `trace`, `rows` and `pickSource` requests; the others are notifications.
 */
export type HostToWebview =
  | { type: 'loading'; file: string }
  | { type: 'state'; model: ModelView; settings: SettingsView }
  | { type: 'error'; file: string; message: string; canReopenWith: boolean }
  | { type: 'running'; request: RunRequest }
  | { type: 'runResult'; result: RunResult }
  | { type: 'runError'; message: string }
  | { type: 'traces'; sample: number; traces: TraceView[] }
  | { type: 'steps'; steps: StepsView[]; error?: string }
  | { type: 'weight'; id: string; matrix: MatrixView | null; error?: string }
  | { type: 'rows'; page: RowsPage | null; error?: string }
  | { type: 'sourcePicked'; purpose: 'inputs' | 'expected'; source: ArraySource | null }
  | { type: 'settings'; settings: SettingsView }
  | { type: 'gradientsResult'; result: GradientsView | null; error?: string };

export type PanelCommand = 'exportReport' | 'copyReplication' | 'copyBptt' | 'exportNotebook' | 'verify' | 'reopenWith' | 'reload';

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'run'; request: RunRequest }
  | { type: 'cancel' }
  | { type: 'trace'; sample: number }
  | { type: 'steps'; layer: string; sample: number }
  | { type: 'weight'; id: string }
  /** A page of the last run's per-sample rows (the reply is `rows`). */
  | { type: 'rows'; order: RowOrder; offset: number }
  | { type: 'pickSource'; purpose: 'inputs' | 'expected' }
  | { type: 'command'; command: PanelCommand }
  | { type: 'gradients'; request: GradientsRequest };

/** State the webview keeps across hide/show (vscode.getState / setState). */
export interface PanelState {
  file?: string;
  inputKey?: string;
  expectedKey?: string;
  seed?: number;
  samples?: number;
  timesteps?: number;
  traceSample?: number;
  /** The step-through's layer and time step. */
  stepLayer?: string;
  stepIndex?: number;
  scrollY?: number;
  pickedSources?: ArraySource[];
}

/** Identity of a source for drop-down values and saved state. */
export function sourceKey(s: ArraySource): string {
  return s.kind === 'file' ? `file:${s.path ?? ''}` : s.kind;
}

const WEBVIEW_TYPES = new Set(['ready', 'run', 'cancel', 'trace', 'steps', 'weight', 'rows', 'pickSource', 'command', 'gradients']);

/** Guards the host against anything that is not one of our messages. */
export function isWebviewMessage(m: unknown): m is WebviewToHost {
  return typeof m === 'object' && m !== null && WEBVIEW_TYPES.has((m as { type?: unknown }).type as string);
}
