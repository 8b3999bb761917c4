/**
 * The layer registry's contract: one LayerSpec per Keras class. A spec knows, from the config and
 * the input shapes alone, which weights Keras creates, what shapes come out and how to write the
 * layer in the user's notation; and, when the forward pass supports it, how to run it.
 */
import type { Layer, Model, NDArray, Shape, Weight } from '../model';

/** A weight Keras would create for a config and an input shape (null where a size is unknown). */
export interface ExpectedWeight {
  role: string;
  shape: (number | null)[];
  trainable: boolean;
}

/** Shown beside a weight in the summary. */
export interface WeightNotation {
  symbol?: string;
  notation?: string;
  blocks?: { gate: string; columns: [number, number] }[];
}

/** What the shape pass knows while it walks the graph. */
export interface ShapeCtx {
  model: Model;
  kerasVersion?: string;
  /** Notes for the summary (plain words). */
  notes: string[];
}

/** Where a layer sits in the user's D/M/K story (used for notation only). */
export interface NotationCtx {
  /** The layer produces a model output (directly or through shape-preserving layers). */
  isOutput: boolean;
  /** Tells several model outputs apart ("₁", "₂": K₁, Wo₁), '' for a model with one output. */
  outIndex?: string;
  /**
   * This layer's index as a superscript ("⁽²⁾"), or '' when the model has only one layer whose
   * symbols need telling apart (the seeds' SimpleRNN + Dense keep plain Wx, Wh, bh, Wo, bo).
   */
  sup: string;
  /** Letter of the input width: "D" for the model's input, "M⁽¹⁾" after layer 1, "2M" after a Bidirectional concat. */
  inLetter?: string;
  /** The input vector as the equations write it: "x_t", "h⁽¹⁾_t", "h_T". */
  inVector?: string;
  /** Direction of a Bidirectional half ("→" / "←"), '' otherwise. */
  dir?: string;
}

/** A letter of the notation and what it stands for, for the legend ("M⁽²⁾ = 4, hidden units of lstm_1"). */
export interface Letter {
  letter: string;
  value: number | null;
  meaning: string;
}

/** The shape of one term of an equation, in letters and in this model's numbers. */
export interface Term {
  letters: string;
  numbers: string;
}

export interface Description {
  /** One entry per weight, in get_weights() order. */
  weights?: WeightNotation[];
  arithmetic?: string;
  equations?: string[];
  /** The shape of each term the equations use, by the term's exact text ("h⁽²⁾_{t-1}", "Wx_i"). */
  terms?: Record<string, Term>;
  /** Letters this layer introduces (for the legend). */
  letters?: Letter[];
  /** Letter of the output width, for the next layer's notation ("M⁽¹⁾", "2M", "U⁽²⁾", "K"). */
  outLetter?: string;
  /** The output vector as the next layer's equations write it ("h⁽¹⁾_t", "h_T"). */
  outVector?: string;
}

/** A tensor flowing through the forward pass, with its Keras mask (N, T) when there is one. */
export interface Tensor {
  array: NDArray;
  mask: Uint8Array | null;
}

export interface TraceSink {
  (layer: string, className: string, direction: 'forward' | 'backward' | undefined, states: NDArray): void;
}

export interface RunCtx {
  model: Model;
  kerasVersion?: string;
  /** Set when hidden states are to be recorded. */
  trace: TraceSink | null;
  isCancelled?: () => boolean;
  /** Arithmetic of the fast kernels: 'f64' (default, the exact reference) or 'f32' (Keras's own). */
  precision?: 'f64' | 'f32';
  /** 'reference': the TypeScript kernels only (what the tests compare the fast path against). */
  engine?: 'fast' | 'reference';
  /** Called by a layer that ran on the SIMD kernels, with the precision it used. */
  usedFast?: (precision: 'f64' | 'f32') => void;
}

export interface LayerSpec {
  /** Output shapes, one per output tensor, of one call of the layer. */
  outputShapes(layer: Layer, inputs: Shape[], ctx: ShapeCtx): Shape[];
  /** The weights Keras creates, in get_weights() order. Absent: the layer has none. */
  expectedWeights?(layer: Layer, inputs: Shape[], ctx: ShapeCtx, stored?: Weight[]): ExpectedWeight[];
  /** Notation, parameter arithmetic and equations, from the weight shapes actually used. */
  describe?(layer: Layer, inputs: Shape[], shapes: (number | null)[][], ctx: ShapeCtx, where: NotationCtx): Description;
  /** The forward step. Absent: `forward()` reports the layer as not supported. */
  forward?(layer: Layer, inputs: Tensor[], ctx: RunCtx): Tensor[];
  /** A recurrent layer (for the D/M/K legend and traces). */
  recurrent?: boolean;
  /** Output keeps the input's last-axis meaning (Dropout, Masking…): notation looks through it. */
  transparent?: boolean;
  /** Its symbols get a per-layer superscript in models with several such layers (recurrent, Dense, Conv). */
  indexed?: boolean;
  /** Wrapped layers shown as `inner` in the summary. */
  inner?(layer: Layer): Layer[];
}

export type { Layer, Model, NDArray, Shape, Weight };
