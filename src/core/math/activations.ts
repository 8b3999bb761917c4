/**
 * Keras activations, evaluated in float64.
 *
 * An activation is either elementwise (`f`) or works along the last axis (`row`: softmax,
 * log_softmax, sparsemax). `resolveActivation` accepts every form a Keras config stores:
 * a string ("tanh"), null (linear), a Keras 3 serialized function
 * ({"module": "keras.activations", "class_name": "function", "config": "tanh", ...}) or a
 * serialized activation layer ({"class_name": "LeakyReLU", "config": {"negative_slope": 0.3}}).
 *
 * Version-dependent definitions (checked against the Keras sources):
 *  - hard_sigmoid: Keras 3 is relu6(x + 3) / 6 = clip(x/6 + 0.5, 0, 1); Keras 1/2 (and tf.keras 2.x)
 *    is clip(0.2·x + 0.5, 0, 1). Chosen by the file's keras_version; unknown → Keras 3.
 *  - gelu: the string "gelu" maps to gelu(x, approximate=False) in Keras 3 and tf.keras 2.x: the
 *    exact 0.5·x·(1 + erf(x/√2)).
 *  - leaky_relu: negative_slope 0.2 (Keras 3 function default); the LeakyReLU *layer* defaults to 0.3.
 *  - selu: scale 1.0507009873554805, alpha 1.6732632423543772.
 */

export interface Activation {
  /** Name as shown in equations, e.g. "tanh", "sigmoid", "leaky_relu". */
  name: string;
  /** Elementwise function. */
  f?: (x: number) => number;
  /** In-place function along the last axis, on data[off .. off+len). */
  row?: (d: Float64Array, off: number, len: number) => void;
  /** dy/dx from x and y = f(x), where the activation has parameters (the backward pass, activationGrads.ts). */
  df?: (x: number, y: number) => number;
}

const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;

/** 1/(1 + e^−x): exp overflows to Infinity for very negative x, giving exactly 0, never NaN. */
export const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
export const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const relu6 = (x: number): number => (x < 0 ? 0 : x > 6 ? 6 : x);

/** tf.nn.leaky_relu's default slope for the function form (0.2), as the float32 attribute TF uses. */
export const LEAKY = Math.fround(0.2);

/**
 * erf to float64 accuracy: the series 2/√π·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3···(2n+1)) (positive terms) for
 * |x| < 3, the continued fraction of erfc beyond.
 */
export function erf(x: number): number {
  const z = Math.abs(x);
  if (z < 3) {
    let term = z;
    let sum = z;
    for (let n = 1; n < 200 && term > 1e-17 * sum; n++) {
      term *= (2 * z * z) / (2 * n + 1);
      sum += term;
    }
    const r = (2 / Math.sqrt(Math.PI)) * Math.exp(-z * z) * sum;
    return x < 0 ? -r : r;
  }
  let f = z;
  for (let n = 120; n >= 1; n--) f = z + n / 2 / f;
  const erfc = Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
  return x < 0 ? erfc - 1 : 1 - erfc;
}

function softmaxRow(d: Float64Array, off: number, len: number): void {
  let max = -Infinity;
  for (let j = 0; j < len; j++) if (d[off + j] > max) max = d[off + j];
  let sum = 0;
  for (let j = 0; j < len; j++) {
    const e = Math.exp(d[off + j] - max);
    d[off + j] = e;
    sum += e;
  }
  for (let j = 0; j < len; j++) d[off + j] /= sum;
}

function logSoftmaxRow(d: Float64Array, off: number, len: number): void {
  let max = -Infinity;
  for (let j = 0; j < len; j++) if (d[off + j] > max) max = d[off + j];
  let sum = 0;
  for (let j = 0; j < len; j++) sum += Math.exp(d[off + j] - max);
  const lse = max + Math.log(sum);
  for (let j = 0; j < len; j++) d[off + j] -= lse;
}

/**
 * Keras's sparsemax exactly as its TensorFlow backend computes it: support_j = z_(j) − (cumsum_j − 1)/j > 0,
 * k = |support|, and tau = (Σ_{j ∈ support} cumsum_j − 1) / k. Note that Keras sums the cumulative
 * sums over the support (the paper takes cumsum_k); the fixtures made by Keras confirm this.
 */
function sparsemaxRow(d: Float64Array, off: number, len: number): void {
  const z = Array.from(d.subarray(off, off + len)).sort((a, b) => b - a);
  let cum = 0;
  let k = 0;
  let sumCum = 0;
  for (let j = 0; j < len; j++) {
    cum += z[j];
    if (z[j] - (cum - 1) / (j + 1) > 0) {
      k++;
      sumCum += cum;
    }
  }
  const tau = (sumCum - 1) / k;
  for (let j = 0; j < len; j++) d[off + j] = Math.max(d[off + j] - tau, 0);
}

/** Whether the file was written by Keras 1/2 (tf.keras included): matters for hard_sigmoid. */
export function isKeras2(kerasVersion?: string): boolean {
  return !!kerasVersion && /^[12]\./.test(kerasVersion.trim());
}

function byName(name: string, keras2: boolean): Activation | null {
  switch (name) {
    case 'linear':
      return { name, f: (x) => x };
    case 'tanh':
      return { name, f: Math.tanh };
    case 'sigmoid':
      return { name, f: sigmoid };
    case 'relu':
      return { name, f: (x) => (x > 0 ? x : 0) };
    case 'relu6':
      return { name, f: relu6 };
    case 'hard_sigmoid':
      return keras2
        ? { name, f: (x) => Math.min(1, Math.max(0, 0.2 * x + 0.5)) }
        : { name, f: (x) => relu6(x + 3) / 6 };
    case 'hard_silu':
    case 'hard_swish':
      return { name, f: (x) => (x * relu6(x + 3)) / 6 };
    case 'softsign':
      return { name, f: (x) => x / (1 + Math.abs(x)) };
    case 'softplus':
      return { name, f: softplus };
    case 'elu':
      return { name, f: (x) => (x > 0 ? x : Math.expm1(x)) };
    case 'selu':
      return { name, f: (x) => (x > 0 ? SELU_SCALE * x : SELU_SCALE * SELU_ALPHA * Math.expm1(x)) };
    case 'gelu':
      return { name, f: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)) };
    case 'swish':
    case 'silu':
      return { name, f: (x) => x * sigmoid(x) };
    case 'exponential':
      return { name, f: Math.exp };
    case 'leaky_relu':
      return { name, f: (x) => (x >= 0 ? x : LEAKY * x) };
    case 'mish':
      return { name, f: (x) => x * Math.tanh(softplus(x)) };
    case 'log_sigmoid':
      return { name, f: (x) => -softplus(-x) };
    case 'hard_tanh':
      return { name, f: (x) => (x < -1 ? -1 : x > 1 ? 1 : x) };
    case 'celu':
      return { name, f: (x) => Math.max(0, x) + Math.min(0, Math.expm1(x)) };
    case 'tanh_shrink':
      return { name, f: (x) => x - Math.tanh(x) };
    case 'squareplus':
      return { name, f: (x) => (x + Math.sqrt(x * x + 4)) / 2 };
    case 'hard_shrink':
      return { name, f: (x) => (Math.abs(x) > 0.5 ? x : 0) };
    case 'soft_shrink':
      return { name, f: (x) => (x > 0.5 ? x - 0.5 : x < -0.5 ? x + 0.5 : 0) };
    case 'sparse_plus':
      return { name, f: (x) => (x <= -1 ? 0 : x >= 1 ? x : ((x + 1) * (x + 1)) / 4) };
    case 'sparse_sigmoid':
      return { name, f: (x) => (x <= -1 ? 0 : x >= 1 ? 1 : 0.5 * (x + 1)) };
    case 'softmax':
      return { name, row: softmaxRow };
    case 'log_softmax':
      return { name, row: logSoftmaxRow };
    case 'sparsemax':
      return { name, row: sparsemaxRow };
    default:
      return null;
  }
}

/**
 * An activation layer serialized as an activation (Keras 2/3 "class_name" + "config"): the layer
 * registry answers (its specs' `asActivation`), handed in by registry.ts so math/ imports no layer.
 */
let byLayer: (className: string, cfg: Record<string, any>) => Activation | null = () => null;
export function useActivationLayers(lookup: (className: string, cfg: Record<string, any>) => Activation | null): void {
  byLayer = lookup;
}

/** The activation's display name for any config form (also for unsupported ones). */
export function activationName(spec: unknown): string {
  if (spec == null) return 'linear';
  if (typeof spec === 'string') return spec;
  if (typeof spec === 'object') {
    const o = spec as Record<string, any>;
    if (o.class_name === 'function' || o.class_name === undefined) {
      if (typeof o.config === 'string') return o.config;
      if (o.config && typeof o.config === 'object' && typeof o.config.name === 'string') return o.config.name;
      return String(o.registered_name ?? 'custom');
    }
    return String(o.class_name);
  }
  return String(spec);
}

/**
 * The activation a config names, or null when this project cannot evaluate it (custom
 * functions, crelu/glu which change the shape). `kerasVersion` picks the Keras 2 or 3 definition.
 */
export function resolveActivation(spec: unknown, kerasVersion?: string): Activation | null {
  const keras2 = isKeras2(kerasVersion);
  if (spec == null) return byName('linear', keras2);
  if (typeof spec === 'string') return byName(spec, keras2);
  if (typeof spec === 'object') {
    const o = spec as Record<string, any>;
    if (o.class_name === 'function' || o.class_name === undefined) {
      const n = activationName(o);
      return byName(n, keras2);
    }
    return byLayer(String(o.class_name), (o.config ?? {}) as Record<string, any>);
  }
  return null;
}

/** Applies an activation in place to a whole C-order array whose last axis has length `last`. */
export function applyActivation(act: Activation, data: Float64Array, last: number): void {
  if (act.name === 'linear') return;
  const f = act.f;
  if (f) {
    for (let i = 0; i < data.length; i++) data[i] = f(data[i]);
    return;
  }
  const row = act.row!;
  for (let off = 0; off < data.length; off += last) row(data, off, last);
}
