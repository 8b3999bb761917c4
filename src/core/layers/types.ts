/**
 * The layer registry's contract: one LayerSpec per Keras class. A spec knows, from the config and
 * the input shapes alone, which weights Keras creates, what shapes come out and how to write the
 * layer in the user's notation; and, when the forward pass supports it, how to run it.
 */
import type { Layer, Model, NDArray, Shape, Weight } from '../model';
import type { Activation } from '../math/activations';

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
  /**
   * Set (a fresh box per layer call) when a backward pass will follow: a forward step puts in
   * `value` what its backward step needs (the recurrent engine: gate pre-activations per step).
   */
  keep?: { value?: unknown; budget?: { bytes: number } };
  /** Arithmetic of the fast kernels: 'f64' (default, the exact reference) or 'f32' (Keras's own). */
  precision?: 'f64' | 'f32';
  /** 'reference': the TypeScript kernels only (what the tests compare the fast path against). */
  engine?: 'fast' | 'reference';
  /** Called by a layer that ran on the SIMD kernels, with the precision it used. */
  usedFast?: (precision: 'f64' | 'f32') => void;
}

/** A weight's gradient as a backward step returns it. */
export interface WeightGrad {
  /** The variable's path below the layer, as Keras 3 names it: "simple_rnn_cell/kernel", "kernel". */
  path: string;
  shape: number[];
  data: Float64Array;
  /** The stored weight this is the gradient of (for an SGD step or a finite-difference check). */
  weight?: Weight;
}

export interface BackwardCtx extends RunCtx {
  /** What this call's forward step kept (RunCtx.keep.value). */
  kept: unknown;
  /** Per input: false when no gradient is wanted there (a model input). Absent: all wanted. */
  wantInputGrads?: boolean[];
}

/** What a backward step returns: dL/d(each input) (null: none flows there) and dL/d(trainable weights). */
export interface BackwardResult {
  dInputs: (NDArray | null)[];
  /** Trainable weights only, in Keras's `trainable_weights` order. */
  dWeights: WeightGrad[];
  /** ‖∂L/∂h_t‖ per processing step, for recurrent layers (and per direction for Bidirectional). */
  hiddenGradNorms?: { direction?: 'forward' | 'backward'; norms: Float64Array; engine?: 'fast' | 'reference' }[];
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
  /**
   * The backward step: from dL/d(outputs) (null where no gradient arrives) to dL/d(inputs) and
   * dL/d(weights). Absent: `gradients()` reports the layer as not supported.
   */
  backward?(layer: Layer, inputs: Tensor[], outputs: Tensor[], dOutputs: (NDArray | null)[], ctx: BackwardCtx): BackwardResult;
  /**
   * True when Keras 3 attaches `_keras_logits` to this call's output (a softmax / sigmoid applied
   * last): its cross-entropy losses then work on the logits, without clipping.
   */
  outputsLogits?(layer: Layer): boolean;
  /** A recurrent layer (for the D/M/K legend and traces). */
  recurrent?: boolean;
  /** Output keeps the input's last-axis meaning (Dropout, Masking…): notation looks through it. */
  transparent?: boolean;
  /** Its symbols get a per-layer superscript in models with several such layers (recurrent, Dense, Conv). */
  indexed?: boolean;
  /** Wrapped layers shown as `inner` in the summary. */
  inner?(layer: Layer): Layer[];

  // What the readers, the summary and the shells need to know about the class: data and hooks
  // here, so that no module outside src/core/layers/ names a Keras class.
  /** A plain recurrent layer (SimpleRNN, LSTM, GRU, CuDNN*): its gate letters in Keras 2+ column order ([] for SimpleRNN). */
  gates?: string[];
  /** A wrapper: of one layer applied at every step (1) or of a forward/backward pair (2). */
  wraps?: 1 | 2;
  /** What it takes as a model's first layer, where the file leaves the input shape open: token ids (N, T), sequences (N, T, D), vectors (N, D). */
  input?: 'tokens' | 'sequence' | 'vector';
  /**
   * Snake-case name prefixes by which a file without a config identifies the class ("lstm_1",
   * "simple_rnn"; an "_" may be left out); the first is Keras 3's weight-store key for the class.
   */
  names?: string[];
  /** Keras 1: weights stored as <name>_W/_U/_b (per gate for LSTM/GRU) to convert, the role of W, config keys renamed since, output_dim kept. */
  keras1?: { weights?: boolean; wRole?: string; rename?: Record<string, string>; keepsOutputDim?: boolean };
  /** Whether stored weights alone look like this class (inferred topologies try the registry in order). */
  fromWeights?(weights: Weight[]): boolean;
  /** Config for a layer rebuilt from its weights alone (no config in the file); `notes` say what was guessed. */
  inferConfig?(layer: Layer, notes: string[], shownAs: string): void;
  /** A wrapper rebuilt from its weights alone: its inner layers (classOf guesses a class from weights). */
  inferInner?(layer: Layer, weights: Weight[], classOf: (weights: Weight[]) => string | undefined): void;
  /** A wrapper read from a config: its inner layers (`build` reads one config entry). */
  innerFromConfig?(config: Record<string, any>, build: (entry: Record<string, any>) => Layer): Layer[] | undefined;
  /** The width K it gives a model output (Dense units), for the D/M/K legend. */
  outputUnits?(layer: Layer): number | undefined;
  /** An activation layer used as an activation (`activation: {class_name: 'LeakyReLU', config}`). */
  asActivation?(config: Record<string, any>): Activation | null;
  /** The activations its config names: the forward pass refuses the layer when one is unknown. */
  activations?(layer: Layer): unknown[];
  /** A wrapper's own reason the forward pass cannot run it (`check` asks the same of an inner layer), or null. */
  problem?(layer: Layer, check: (inner: Layer) => string | null): string | null;
  /** How the NumPy replication replays it. */
  numpy?: 'skip' | 'masking' | 'rnn' | 'bidirectional' | 'dense' | 'embedding' | 'flatten' | 'activation' | 'repeat';
}

export type { Layer, Model, NDArray, Shape, Weight };
