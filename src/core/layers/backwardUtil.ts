/** Helpers shared by the backward steps of the layer specs. */
import type { Layer, Model, NDArray } from '../model';
import type { BackwardCtx } from './types';
import { cfg } from './util';

/** Keras's `layer.trainable` (config key `trainable`, default true). */
export function isTrainable(layer: Layer): boolean {
  return cfg(layer).trainable !== false;
}

/** Whether dL/d(input k) is wanted (false for model inputs, which have no weights before them). */
export function wantsInputGrad(ctx: BackwardCtx, k: number): boolean {
  return ctx.wantInputGrads ? ctx.wantInputGrads[k] !== false : true;
}

/** a += b, elementwise (a and b of one shape). */
export function addInto(a: Float64Array, b: Float64Array): void {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
}

/** An all-zero gradient of a given shape. */
export function zerosLike(shape: number[]): NDArray {
  let n = 1;
  for (const d of shape) n *= d;
  return { shape: shape.slice(), data: new Float64Array(n) };
}

/**
 * The prefix Keras 3 puts before a layer's variable paths: a Sequential model builds its layers
 * inside its own name scope ("sequential/dense/kernel"); a Functional model does not ("dense/kernel").
 */
export function variablePrefix(model: Model): string {
  return model.className === 'Sequential' ? `${model.name}/` : '';
}
