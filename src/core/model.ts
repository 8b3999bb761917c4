/**
 * The normalized model: what every reader produces and everything else consumes.
 * Types only, no logic. Shapes follow Keras: a leading `null` is the batch dimension ("None").
 */

/** A dimension: a number, or null where Keras prints None. */
export type Dim = number | null;
/** A shape with the batch dimension first, as Keras's `output_shape` (e.g. [null, 10, 3]). */
export type Shape = Dim[];

/** Dense numeric arrays used by the forward pass: C order, float64. */
export interface NDArray {
  shape: number[];
  data: Float64Array;
}

/** A stored weight tensor, in the order Keras's `get_weights()` returns them. */
export interface Weight {
  /** Name as stored in the file, e.g. "simple_rnn/simple_rnn_cell/kernel:0" or "layers/dense/vars/0". */
  name: string;
  /**
   * Role of the tensor: kernel, recurrent_kernel, bias, embeddings, gamma, beta, moving_mean,
   * moving_variance, depthwise_kernel, pointwise_kernel… (Keras's variable name without path and ":0").
   */
  role: string;
  shape: number[];
  /** "float32", "float64", "float16", "bfloat16", "int32"… */
  dtype: string;
  trainable: boolean;
  /** Values in C order, present once loaded (readers may leave this out when asked for metadata only). */
  data?: Float32Array | Float64Array;
}

/** A reference to one output tensor of one call of a layer (Keras's keras_history / inbound node entry). */
export interface TensorRef {
  layer: string;
  node: number;
  tensor: number;
}

export interface Layer {
  name: string;
  /** Keras class name, e.g. "SimpleRNN", "Dense", "Bidirectional", "TimeDistributed", "InputLayer". */
  className: string;
  /**
   * The layer's Keras config. Readers normalize legacy keys to Keras 2/3 names
   * (Keras 1 output_dim → units, inner_activation → recurrent_activation, W_regularizer…), so
   * consumers only need to know Keras 2/3 configs. batch_input_shape / batch_shape stay as stored.
   */
  config: Record<string, any>;
  /** The layer's weights in get_weights() order. Wrappers list their inner layers' weights here too. */
  weights: Weight[];
  /** Wrapped layers: TimeDistributed → [layer]; Bidirectional → [forward, backward]. */
  inner?: Layer[];
  /**
   * One entry per call of the layer (Keras "inbound node"); each lists the tensors that call consumed.
   * An InputLayer has a single call with no inputs: [[]].
   */
  inbound: TensorRef[][];
  /**
   * Keyword arguments of a call that carry tensors other than `initial_state` (Keras 3 configs:
   * `mask=`, `constants=`…): the forward pass does not wire them and says so.
   */
  tensorKwargs?: string[];
  /**
   * Per call: how many of its last inbound tensors are the `mask=` keyword argument Keras 3
   * records for a masked input (shown in "Connected to", applied as the input's mask).
   */
  maskRefs?: number[];
  /** The first call's keyword arguments that are plain values (`use_causal_mask`, `training`…). */
  callArgs?: Record<string, unknown>;
  /** True for the InputLayer a Sequential model implies: Keras does not list it in model.layers / summary(). */
  implicit?: boolean;
}

export type FormatId =
  | 'keras-h5' //           model.save('m.h5'): model_config + model_weights (Keras 2.x, tf.keras, Keras 3 legacy writer)
  | 'keras-h5-weights' //   save_weights('w.h5') of Keras 1 / 2: layer_names at the root
  | 'keras-v3-weights' //   Keras 3 *.weights.h5 weight store (layers/<key>/vars/<i>)
  | 'keras-v3-zip' //       Keras 3 .keras archive
  | 'json-notebook' //      {"Wx", "Wh", "bh", "Wo", "bo"} dump
  | 'json-weight-list' //   [w.tolist() for w in model.get_weights()]
  | 'tfjs-layers' //        TensorFlow.js layers model (model.json + shards)
  | 'keras-json-config' //  model.to_json() alone: architecture, no weights
  | 'rnn-inspector-json'; // the project's own JSON format (weights + optional samples)

export interface ModelFormat {
  id: FormatId;
  /** Human label, e.g. "Keras 3 legacy HDF5", "Keras 2.2.4 weights only". */
  label: string;
}

export interface Model {
  name: string;
  /** "Sequential", "Functional", "Model" (Keras 2 functional), or "Inferred" when rebuilt from weight shapes. */
  className: string;
  /** All layers in config order, including InputLayers (implicit ones flagged). */
  layers: Layer[];
  /** The model's input tensors (refs to InputLayers) and output tensors, in order. */
  inputs: TensorRef[];
  outputs: TensorRef[];
  format: ModelFormat;
  kerasVersion?: string;
  backend?: string;
  /** What was inferred rather than read, in plain words, e.g. "topology inferred from weight shapes". */
  notes: string[];
  source: { path: string; bytes: number };
  /** False when the file holds no weights (architecture-only JSON): shapes and parameters only. */
  hasWeights: boolean;
  /** Sample data carried by the file itself (project JSON format). */
  samples?: { inputs?: NDArray[]; expected?: NDArray[] };
}

/** Every user-facing failure: names the file and the problem. */
export class InspectorError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
    /** What went wrong inside, for the log (an internal error's own text); never in the headline. */
    readonly detail?: string,
  ) {
    super(file ? `${file}: ${problem}` : problem);
    this.name = 'InspectorError';
  }
}
