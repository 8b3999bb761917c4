/**
 * Derivatives of the Keras activations (activations.ts), for the backward pass, in float64.
 *
 * Elementwise activations get d(x, y) = dy/dx from the input x and the output y = f(x); at a kink
 * the one-sided value TensorFlow's own gradient uses (relu: 0 at 0). Activations along the last
 * axis (softmax, log_softmax, sparsemax) get their vector–Jacobian product.
 */
import { erf, sigmoid, isKeras2, LEAKY, type Activation } from './activations';

export interface ActivationGrad {
  name: string;
  /** Elementwise dy/dx. */
  d?: (x: number, y: number) => number;
  /** Along the last axis: out[o..o+len) = Jᵀ·dy for the row at `off` (x the input, y the output). */
  row?: (x: Float64Array, y: Float64Array, dy: Float64Array, off: number, len: number, out: Float64Array, outOff: number) => void;
}

const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;
const INV_SQRT_2PI = 0.3989422804014327;
const relu6 = (x: number): number => (x < 0 ? 0 : x > 6 ? 6 : x);
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

function softmaxBack(_x: Float64Array, y: Float64Array, dy: Float64Array, off: number, len: number, out: Float64Array, o: number): void {
  let s = 0;
  for (let j = 0; j < len; j++) s += dy[off + j] * y[off + j];
  for (let j = 0; j < len; j++) out[o + j] = y[off + j] * (dy[off + j] - s);
}

function logSoftmaxBack(_x: Float64Array, y: Float64Array, dy: Float64Array, off: number, len: number, out: Float64Array, o: number): void {
  let s = 0;
  for (let j = 0; j < len; j++) s += dy[off + j];
  for (let j = 0; j < len; j++) out[o + j] = dy[off + j] - Math.exp(y[off + j]) * s;
}

/**
 * Keras's sparsemax (activations.ts: tau = (Σ_{j ∈ support} cumsum_j − 1) / k over the logits sorted
 * in descending order), differentiated as TensorFlow differentiates that code: dtau/dz_(i) = (k − i + 1)/k
 * for the i-th largest logit in the support, and max(z − tau, 0) passes the gradient where z − tau ≥ 0.
 */
function sparsemaxBack(x: Float64Array, _y: Float64Array, dy: Float64Array, off: number, len: number, out: Float64Array, o: number): void {
  const idx = Array.from({ length: len }, (_, j) => j).sort((a, b) => x[off + b] - x[off + a]);
  let cum = 0;
  let k = 0;
  let sumCum = 0;
  for (let j = 0; j < len; j++) {
    const z = x[off + idx[j]];
    cum += z;
    if (z - (cum - 1) / (j + 1) > 0) {
      k++;
      sumCum += cum;
    }
  }
  const tau = (sumCum - 1) / k;
  let s = 0;
  for (let j = 0; j < len; j++) if (x[off + j] - tau >= 0) s += dy[off + j];
  for (let j = 0; j < len; j++) out[o + j] = x[off + j] - tau >= 0 ? dy[off + j] : 0;
  // The support is the k largest logits (the sorted prefix where the test holds).
  for (let r = 0; r < k; r++) out[o + idx[r]] -= (s * (k - r)) / k;
}

function byName(name: string, keras2: boolean): ActivationGrad['d'] | ActivationGrad['row'] | null {
  switch (name) {
    case 'linear':
      return () => 1;
    case 'tanh':
      return (_x: number, y: number) => 1 - y * y;
    case 'sigmoid':
      return (_x: number, y: number) => y * (1 - y);
    case 'relu':
      return (x: number) => (x > 0 ? 1 : 0);
    case 'relu6':
      return (x: number) => (x > 0 && x < 6 ? 1 : 0);
    case 'hard_sigmoid':
      return keras2 ? (x: number) => (x > -2.5 && x < 2.5 ? 0.2 : 0) : (x: number) => (x > -3 && x < 3 ? 1 / 6 : 0);
    case 'hard_silu':
    case 'hard_swish':
      return (x: number) => relu6(x + 3) / 6 + (x > -3 && x < 3 ? x / 6 : 0);
    case 'softsign':
      return (x: number) => 1 / ((1 + Math.abs(x)) * (1 + Math.abs(x)));
    case 'softplus':
      return (x: number) => sigmoid(x);
    case 'elu':
      return (x: number) => (x > 0 ? 1 : Math.exp(x));
    case 'selu':
      return (x: number) => (x > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(x));
    case 'gelu':
      return (x: number) => 0.5 * (1 + erf(x / Math.SQRT2)) + x * INV_SQRT_2PI * Math.exp(-0.5 * x * x);
    case 'swish':
    case 'silu':
      return (x: number) => {
        const s = sigmoid(x);
        return s + x * s * (1 - s);
      };
    case 'exponential':
      return (_x: number, y: number) => y;
    case 'leaky_relu':
      return (x: number) => (x > 0 ? 1 : LEAKY);
    case 'mish':
      return (x: number) => {
        const t = Math.tanh(softplus(x));
        return t + x * (1 - t * t) * sigmoid(x);
      };
    case 'log_sigmoid':
      return (x: number) => sigmoid(-x);
    case 'hard_tanh':
      return (x: number) => (x > -1 && x < 1 ? 1 : 0);
    case 'celu':
      return (x: number) => (x > 0 ? 1 : Math.exp(x));
    case 'tanh_shrink':
      return (x: number) => {
        const t = Math.tanh(x);
        return t * t;
      };
    case 'squareplus':
      return (x: number) => 0.5 * (1 + x / Math.sqrt(x * x + 4));
    case 'hard_shrink':
    case 'soft_shrink':
      return (x: number) => (Math.abs(x) > 0.5 ? 1 : 0);
    case 'sparse_plus':
      return (x: number) => (x <= -1 ? 0 : x >= 1 ? 1 : (x + 1) / 2);
    case 'sparse_sigmoid':
      return (x: number) => (x > -1 && x < 1 ? 0.5 : 0);
    default:
      return null;
  }
}

const ROWS: Record<string, ActivationGrad['row']> = { softmax: softmaxBack, log_softmax: logSoftmaxBack, sparsemax: sparsemaxBack };

/** The derivative of a resolved activation, or null when the backward pass cannot evaluate it. */
export function activationGrad(act: Activation, kerasVersion?: string): ActivationGrad | null {
  if (act.df) return { name: act.name, d: act.df };
  if (act.row) {
    const row = ROWS[act.name];
    return row ? { name: act.name, row } : null;
  }
  const d = byName(act.name, isKeras2(kerasVersion));
  return d ? { name: act.name, d: d as ActivationGrad['d'] } : null;
}

/**
 * out = dL/dx from dL/dy for a whole C-order array whose last axis has length `last`
 * (x the activation's input, y its output). `out` may be `dy` itself for elementwise activations.
 */
export function activationBackward(g: ActivationGrad, x: Float64Array, y: Float64Array, dy: Float64Array, last: number, out: Float64Array): Float64Array {
  const d = g.d;
  if (d) {
    for (let i = 0; i < dy.length; i++) out[i] = dy[i] * d(x[i], y[i]);
    return out;
  }
  const row = g.row!;
  for (let off = 0; off < dy.length; off += last) row(x, y, dy, off, last, out, off);
  return out;
}

/** The same on a block: out[o + j] = Jᵀ·dy over [off, off + len), for the gates of a recurrent step. */
export function activationBackwardBlock(
  g: ActivationGrad,
  x: Float64Array,
  y: Float64Array,
  dy: Float64Array,
  off: number,
  len: number,
  out: Float64Array,
  o: number,
): void {
  const d = g.d;
  if (d) for (let j = 0; j < len; j++) out[o + j] = dy[off + j] * d(x[off + j], y[off + j]);
  else g.row!(x, y, dy, off, len, out, o);
}
