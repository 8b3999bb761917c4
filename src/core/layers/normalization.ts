/**
 * BatchNormalization (inference: (x − moving_mean)/√(moving_variance + ε)·γ + β; γ, β trainable,
 * the moving statistics not) and LayerNormalization (over the last axis).
 */
import { InspectorError, type Layer, type Shape } from '../model';
import type { ExpectedWeight, LayerSpec } from './types';
import { bindWeights, cfg, nd, normAxis, one } from './util';

function bnAxis(layer: Layer, rank: number): number {
  let a = cfg(layer).axis ?? -1;
  if (Array.isArray(a)) a = a[0];
  return normAxis(Number(a), rank);
}

function bnExpected(layer: Layer, input: Shape): ExpectedWeight[] {
  const c = cfg(layer);
  const C = input[bnAxis(layer, input.length)] ?? null;
  const w: ExpectedWeight[] = [];
  if (c.scale ?? true) w.push({ role: 'gamma', shape: [C], trainable: true });
  if (c.center ?? true) w.push({ role: 'beta', shape: [C], trainable: true });
  w.push({ role: 'moving_mean', shape: [C], trainable: false }, { role: 'moving_variance', shape: [C], trainable: false });
  return w;
}

export const batchNormSpec: LayerSpec = {
  transparent: true,
  outputShapes(layer, inputs) {
    return [one(layer, inputs)];
  },
  expectedWeights(layer, inputs) {
    return bnExpected(layer, one(layer, inputs));
  },
  /** γ, β, μ, σ² are as wide as the input: written with its letter (M after an LSTM), else its number. */
  describe(layer, inputs, shapes, ctx, where) {
    const C = shapes[0]?.[0];
    const Cl = where.inLetter ?? String(C ?? '?');
    const n = shapes.length;
    const SYM: Record<string, string> = { gamma: 'γ', beta: 'β', moving_mean: 'μ', moving_variance: 'σ²' };
    const roles = bnExpected(layer, inputs[0] ?? [null]).map((e) => e.role);
    void ctx;
    return {
      weights: shapes.map((_, i) => ({ symbol: SYM[roles[i]], notation: Cl })),
      arithmetic: C == null ? undefined : `${n}×${C} = ${n * C}`,
      equations: [`y = (x − μ) / √(σ² + ${cfg(layer).epsilon ?? 0.001}) · γ + β   (μ, σ²: moving statistics, not trained)`],
    };
  },
  forward(layer, inputs) {
    const x = one(layer, inputs);
    const shape = x.array.shape;
    const ax = bnAxis(layer, shape.length);
    const c = cfg(layer);
    const exp = bnExpected(layer, shape);
    const ws = bindWeights(layer, exp);
    const get = (role: string) => {
      const i = exp.findIndex((e) => e.role === role);
      return i < 0 ? null : ws[i];
    };
    const gamma = get('gamma');
    const beta = get('beta');
    const mean = get('moving_mean')!;
    const variance = get('moving_variance')!;
    const eps = Number(c.epsilon ?? 1e-3);
    const C = shape[ax];
    let stride = 1;
    for (let d = ax + 1; d < shape.length; d++) stride *= shape[d];
    const scale = new Float64Array(C);
    const shift = new Float64Array(C);
    for (let k = 0; k < C; k++) {
      const inv = 1 / Math.sqrt(variance[k] + eps);
      scale[k] = inv * (gamma ? gamma[k] : 1);
      shift[k] = (beta ? beta[k] : 0) - mean[k] * scale[k];
    }
    const src = x.array.data;
    const out = new Float64Array(src.length);
    for (let i = 0; i < src.length; i++) {
      const k = Math.floor(i / stride) % C;
      out[i] = src[i] * scale[k] + shift[k];
    }
    return [{ array: nd(shape.slice(), out), mask: x.mask }];
  },
};

function lnAxes(layer: Layer, rank: number): number[] {
  const a = cfg(layer).axis ?? -1;
  return (Array.isArray(a) ? a : [a]).map((v: number) => normAxis(Number(v), rank));
}

function lnExpected(layer: Layer, input: Shape): ExpectedWeight[] {
  const c = cfg(layer);
  const shape = lnAxes(layer, input.length).map((a) => input[a] ?? null);
  const w: ExpectedWeight[] = [];
  const rms = Boolean(c.rms_scaling);
  if (c.scale ?? true) w.push({ role: 'gamma', shape, trainable: true });
  if ((c.center ?? true) && !rms) w.push({ role: 'beta', shape, trainable: true });
  return w;
}

export const layerNormSpec: LayerSpec = {
  transparent: true,
  outputShapes(layer, inputs) {
    return [one(layer, inputs)];
  },
  expectedWeights(layer, inputs) {
    return lnExpected(layer, one(layer, inputs));
  },
  describe(layer, _inputs, shapes, _ctx, where) {
    const C = shapes[0]?.[0];
    const n = shapes.length;
    const Cl = where.inLetter ?? String(C ?? '?');
    return {
      weights: shapes.map(() => ({ notation: Cl })),
      arithmetic: C == null || n === 0 ? undefined : `${n}×${C} = ${n * C}`,
      equations: [`y = (x − mean(x)) / √(var(x) + ${cfg(layer).epsilon ?? 0.001}) · γ + β   (over the last axis)`],
    };
  },
  forward(layer, inputs) {
    const x = one(layer, inputs);
    const shape = x.array.shape;
    const axes = lnAxes(layer, shape.length);
    if (axes.length !== 1 || axes[0] !== shape.length - 1) {
      throw new InspectorError('', `not supported: LayerNormalization over axes ${axes.join(',')} (layer ${layer.name})`);
    }
    const c = cfg(layer);
    const exp = lnExpected(layer, shape);
    const ws = bindWeights(layer, exp);
    const gamma = exp.findIndex((e) => e.role === 'gamma') >= 0 ? ws[exp.findIndex((e) => e.role === 'gamma')] : null;
    const beta = exp.findIndex((e) => e.role === 'beta') >= 0 ? ws[exp.findIndex((e) => e.role === 'beta')] : null;
    const eps = Number(c.epsilon ?? 1e-3);
    const rms = Boolean(c.rms_scaling);
    const C = shape[shape.length - 1];
    const src = x.array.data;
    const out = new Float64Array(src.length);
    for (let off = 0; off < src.length; off += C) {
      let mean = 0;
      for (let j = 0; j < C; j++) mean += src[off + j];
      mean /= C;
      let v = 0;
      if (rms) {
        for (let j = 0; j < C; j++) v += src[off + j] * src[off + j];
        v /= C;
      } else {
        for (let j = 0; j < C; j++) v += (src[off + j] - mean) ** 2;
        v /= C;
      }
      const inv = 1 / Math.sqrt(v + eps);
      for (let j = 0; j < C; j++) {
        const y = rms ? src[off + j] * inv : (src[off + j] - mean) * inv;
        out[off + j] = y * (gamma ? gamma[j] : 1) + (beta ? beta[j] : 0);
      }
    }
    return [{ array: nd(shape.slice(), out), mask: x.mask }];
  },
};
