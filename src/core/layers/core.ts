/**
 * Weightless layers: InputLayer, the inference-time identities (Dropout family, GaussianNoise…),
 * Activation and the activation layers, Masking, RepeatVector, Flatten, Reshape, Permute, Lambda.
 */
import { InspectorError, type Layer, type Model, type Shape } from '../model';
import { activationName, applyActivation, resolveActivation, type Activation } from '../math/activations';
import type { LayerSpec, Tensor } from './types';
import { cfg, nd, note, one, prod } from './util';
import { activationLayerBackward, identityBackward, maskingBackward, permuteBackward, repeatVectorBackward, reshapeBackward } from './coreBackward';
import { softmaxOrSigmoid } from './denseBackward';
import { consumers } from './graph';

// ---------------------------------------------------------------- InputLayer

const asShape = (v: unknown): Shape | null =>
  Array.isArray(v) ? v.map((d) => (d == null ? null : Number(d))) : null;

/** Keras's class of model inputs; readers make one where a file has none. */
export const INPUT_LAYER = 'InputLayer';

export const isInputLayer = (layer: Layer): boolean => layer.className === INPUT_LAYER;

/** The batch shape an InputLayer declares (Keras 3 batch_shape, Keras 2 batch_input_shape). */
export function declaredInputShape(layer: Layer): Shape | null {
  const c = cfg(layer);
  const s = asShape(c.batch_shape) ?? asShape(c.batch_input_shape);
  if (s) return s;
  if (Array.isArray(c.input_shape)) return [null, ...(asShape(c.input_shape) ?? [])];
  if (Array.isArray(c.shape)) return [null, ...(asShape(c.shape) ?? [])];
  return null;
}

/**
 * An InputLayer's shape; for a Sequential's implicit one without a shape, what the first layer
 * declares (batch_input_shape, or Keras 1 input_dim / input_length).
 */
export function inputLayerShape(layer: Layer, model: Model): Shape | null {
  const own = declaredInputShape(layer);
  if (own) return own;
  const consumer = consumers(model, layer.name)[0];
  if (!consumer) return null;
  const c = cfg(consumer);
  const s = asShape(c.batch_input_shape) ?? asShape(c.batch_shape);
  if (s) return s;
  if (Array.isArray(c.input_shape)) return [null, ...(asShape(c.input_shape) ?? [])];
  const inner = c.layer?.config as Record<string, any> | undefined; // Bidirectional / TimeDistributed first layer
  const is = inner && (asShape(inner.batch_input_shape) ?? asShape(inner.batch_shape));
  if (is) return is;
  // Keras 1: input_dim (+ input_length for recurrent / embedding layers).
  if (consumer.className === 'Embedding') return [null, c.input_length ?? null];
  if (c.input_dim != null) {
    const rec = ['SimpleRNN', 'LSTM', 'GRU'].includes(consumer.className);
    return rec ? [null, c.input_length ?? null, Number(c.input_dim)] : [null, Number(c.input_dim)];
  }
  return null;
}

export const inputLayerSpec: LayerSpec = {
  outputShapes(layer, inputs) {
    return [inputs[0] ?? declaredInputShape(layer) ?? [null]];
  },
  forward(_layer, inputs) {
    return inputs;
  },
};

// ---------------------------------------------------------------- identities at inference

export const identitySpec: LayerSpec = {
  transparent: true,
  numpy: 'skip',
  outputShapes(layer, inputs) {
    return [one(layer, inputs)];
  },
  forward(layer, inputs) {
    return [one(layer, inputs)];
  },
  backward: identityBackward,
};

// ---------------------------------------------------------------- Activation and activation layers

function activationOf(layer: Layer): unknown {
  const c = cfg(layer);
  switch (layer.className) {
    case 'Activation':
      return c.activation;
    case 'Softmax':
      return 'softmax';
    default:
      return { class_name: layer.className, config: c };
  }
}

/** The activation layers as activations (`activation: {class_name: 'LeakyReLU', config}`). */
export const asActivation = {
  LeakyReLU(c: Record<string, any>): Activation {
    // tf.nn.leaky_relu takes its slope as a float32 attribute, whatever the dtype of x.
    const a = Math.fround(Number(c.negative_slope ?? c.alpha ?? 0.3));
    return { name: `leaky_relu(${Number(c.negative_slope ?? c.alpha ?? 0.3)})`, f: (x) => (x >= 0 ? x : a * x), df: (x) => (x > 0 ? 1 : a) };
  },
  ReLU(c: Record<string, any>): Activation {
    const max = c.max_value == null ? Infinity : Number(c.max_value);
    const slope = Number(c.negative_slope ?? 0);
    const th = Number(c.threshold ?? 0);
    return { name: 'relu', f: (x) => (x >= max ? max : x >= th ? x : slope * (x - th)), df: (x) => (x >= max ? 0 : x >= th ? 1 : slope) };
  },
  ELU(c: Record<string, any>): Activation {
    const a = Number(c.alpha ?? 1);
    return { name: `elu(${a})`, f: (x) => (x > 0 ? x : a * Math.expm1(x)), df: (x) => (x > 0 ? 1 : a * Math.exp(x)) };
  },
  Softmax(): Activation | null {
    return resolveActivation('softmax');
  },
};

export const activationSpec: LayerSpec = {
  transparent: true,
  outputShapes(layer, inputs) {
    return [one(layer, inputs)];
  },
  describe(layer) {
    return { equations: [`y = ${activationName(activationOf(layer))}(x)`] };
  },
  forward(layer, inputs, ctx) {
    const x = one(layer, inputs);
    const spec = activationOf(layer);
    const act = resolveActivation(spec, ctx.kerasVersion);
    if (!act) throw new InspectorError('', `not supported: activation '${activationName(spec)}' (layer ${layer.name})`);
    if (layer.className === 'Softmax' && cfg(layer).axis != null && cfg(layer).axis !== -1 && cfg(layer).axis !== x.array.shape.length - 1) {
      throw new InspectorError('', `not supported: Softmax over axis ${cfg(layer).axis} (layer ${layer.name})`);
    }
    const out = Float64Array.from(x.array.data);
    applyActivation(act, out, x.array.shape[x.array.shape.length - 1]);
    return [{ array: nd(x.array.shape.slice(), out), mask: x.mask }];
  },
  backward: (layer, inputs, outputs, dOutputs, ctx) => activationLayerBackward(layer, activationOf(layer), inputs, outputs, dOutputs, ctx),
  outputsLogits: (layer) => softmaxOrSigmoid(activationOf(layer)),
};

// ---------------------------------------------------------------- Masking

export const maskingSpec: LayerSpec = {
  transparent: true,
  outputShapes(layer, inputs) {
    return [one(layer, inputs)];
  },
  describe(layer) {
    return { equations: [`mask_t = any(x_t ≠ ${cfg(layer).mask_value ?? 0}); masked steps are zeroed and skipped by RNNs`] };
  },
  forward(layer, inputs) {
    const x = one(layer, inputs);
    const [N, T] = x.array.shape;
    const F = x.array.data.length / (N * T);
    const mv = Number(cfg(layer).mask_value ?? 0);
    const mask = new Uint8Array(N * T);
    const out = Float64Array.from(x.array.data);
    for (let i = 0; i < N * T; i++) {
      let keep = 0;
      for (let j = 0; j < F; j++) if (out[i * F + j] !== mv) keep = 1;
      mask[i] = keep;
      if (!keep) out.fill(0, i * F, (i + 1) * F);
    }
    return [{ array: nd(x.array.shape.slice(), out), mask }];
  },
  backward: maskingBackward,
};

// ---------------------------------------------------------------- reshaping layers

export const repeatVectorSpec: LayerSpec = {
  outputShapes(layer, inputs) {
    const s = one(layer, inputs);
    const n = cfg(layer).n;
    return [[s[0] ?? null, n == null ? null : Number(n), ...s.slice(1)]];
  },
  describe(layer) {
    return { equations: [`y_t = x for t = 1…${cfg(layer).n ?? 'n'}`] };
  },
  forward(layer, inputs) {
    const x = one(layer, inputs);
    if (cfg(layer).n == null) throw new InspectorError('', `layer ${layer.name} (RepeatVector): the repeat count n is not recorded in the file`);
    const n = Number(cfg(layer).n);
    const [N, F] = x.array.shape;
    const out = new Float64Array(N * n * F);
    for (let i = 0; i < N; i++) for (let t = 0; t < n; t++) out.set(x.array.data.subarray(i * F, (i + 1) * F), (i * n + t) * F);
    return [{ array: nd([N, n, F], out), mask: null }];
  },
  backward: repeatVectorBackward,
};

export const flattenSpec: LayerSpec = {
  outputShapes(layer, inputs) {
    const s = one(layer, inputs);
    return [[s[0] ?? null, s.length <= 1 ? 1 : prod(s.slice(1))]];
  },
  forward(layer, inputs) {
    const x = one(layer, inputs);
    const N = x.array.shape[0];
    return [{ array: nd([N, x.array.data.length / Math.max(N, 1)], x.array.data), mask: null }];
  },
  backward: reshapeBackward,
};

function resolveTarget(target: number[], size: number | null): (number | null)[] {
  const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  return target.map((d) => (d === -1 ? (size == null ? null : size / known) : d));
}

export const reshapeSpec: LayerSpec = {
  outputShapes(layer, inputs) {
    const s = one(layer, inputs);
    const target = (cfg(layer).target_shape as number[]).map(Number);
    return [[s[0] ?? null, ...resolveTarget(target, prod(s.slice(1)))]];
  },
  forward(layer, inputs) {
    const x = one(layer, inputs);
    const N = x.array.shape[0];
    const target = resolveTarget((cfg(layer).target_shape as number[]).map(Number), x.array.data.length / Math.max(N, 1));
    const shape = [N, ...(target as number[])];
    if (prod(shape) !== x.array.data.length) {
      throw new InspectorError('', `layer ${layer.name} (Reshape): cannot reshape ${x.array.shape.join('×')} to ${shape.join('×')}`);
    }
    return [{ array: nd(shape, x.array.data), mask: null }];
  },
  backward: reshapeBackward,
};

export const permuteSpec: LayerSpec = {
  outputShapes(layer, inputs) {
    const s = one(layer, inputs);
    const dims = (cfg(layer).dims as number[]).map(Number);
    return [[s[0] ?? null, ...dims.map((d) => s[d] ?? null)]];
  },
  forward(layer, inputs) {
    const x = one(layer, inputs);
    const perm = [0, ...(cfg(layer).dims as number[]).map(Number)];
    const inShape = x.array.shape;
    const outShape = perm.map((p) => inShape[p]);
    const rank = inShape.length;
    const inStride = new Array<number>(rank);
    inStride[rank - 1] = 1;
    for (let d = rank - 2; d >= 0; d--) inStride[d] = inStride[d + 1] * inShape[d + 1];
    const srcStride = perm.map((p) => inStride[p]);
    const out = new Float64Array(x.array.data.length);
    const idx = new Array<number>(rank).fill(0);
    for (let i = 0; i < out.length; i++) {
      let src = 0;
      for (let d = 0; d < rank; d++) src += idx[d] * srcStride[d];
      out[i] = x.array.data[src];
      for (let d = rank - 1; d >= 0; d--) {
        if (++idx[d] < outShape[d]) break;
        idx[d] = 0;
      }
    }
    return [{ array: nd(outShape, out), mask: null }];
  },
  backward: permuteBackward,
};

// ---------------------------------------------------------------- Lambda

export const lambdaSpec: LayerSpec = {
  outputShapes(layer, inputs, ctx) {
    const os = cfg(layer).output_shape;
    if (Array.isArray(os) && os.every((d) => d == null || typeof d === 'number')) {
      return [[inputs[0]?.[0] ?? null, ...os.map((d: number | null) => (d == null ? null : Number(d)))]];
    }
    note(ctx, `Lambda layer ${layer.name}: its output shape is unknown (the function is Python code); shown as its input shape`);
    return [inputs[0] ?? [null]];
  },
};
