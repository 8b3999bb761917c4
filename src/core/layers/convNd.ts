/**
 * Convolution and pooling over 2 or 3 spatial axes (Conv2D, Conv3D, MaxPooling2D/3D,
 * AveragePooling2D/3D): one factory per kind, given the rank; channels_last natively,
 * channels_first by moving the channel axis around the computation. The kernels are in
 * math/convNd.ts. Also what ConvLSTM needs: the window parameters of a config.
 */
import { InspectorError, type Layer, type Shape } from '../model';
import { activationName, applyActivation, resolveActivation } from '../math/activations';
import { convSample, geometry, moveChannels, poolSample, windowOut } from '../math/convNd';
import type { ExpectedWeight, LayerSpec, Tensor } from './types';
import { bindWeights, cfg, nd, one } from './util';

/** A config value that is an int or a tuple, as `rank` numbers. */
export function tuple(v: unknown, rank: number, dflt: number): number[] {
  if (Array.isArray(v)) return v.map(Number);
  return Array.from({ length: rank }, () => (v == null ? dflt : Number(v)));
}

export interface WindowParams {
  kernel: number[];
  strides: number[];
  dilation: number[];
  padding: string;
  channelsFirst: boolean;
}

export function windowParams(layer: Layer, rank: number, pool = false): WindowParams {
  const c = cfg(layer);
  const kernel = pool ? tuple(c.pool_size, rank, 2) : tuple(c.kernel_size ?? (c.nb_row != null ? [c.nb_row, c.nb_col] : undefined), rank, 1);
  return {
    kernel,
    strides: c.strides == null && pool ? kernel.slice() : tuple(c.strides ?? c.subsample, rank, 1),
    dilation: tuple(c.dilation_rate, rank, 1),
    padding: String(c.padding ?? c.border_mode ?? 'valid'),
    channelsFirst: c.data_format === 'channels_first' || c.dim_ordering === 'th',
  };
}

/** Output spatial sizes (null where unknown). */
export function windowShape(spatial: (number | null)[], w: WindowParams): (number | null)[] {
  return spatial.map((L, i) => (L == null ? null : windowOut(L, w.kernel[i], w.strides[i], w.dilation[i], w.padding)));
}

/** Splits an input shape into its spatial sizes and channels, after `lead` leading axes. */
export function splitShape(s: Shape, lead: number, channelsFirst: boolean): { spatial: (number | null)[]; C: number | null } {
  const rest = s.slice(lead);
  return channelsFirst ? { spatial: rest.slice(1), C: rest[0] ?? null } : { spatial: rest.slice(0, -1), C: rest[rest.length - 1] ?? null };
}

export const joinShape = (lead: Shape, spatial: (number | null)[], C: number | null, channelsFirst: boolean): Shape =>
  channelsFirst ? [...lead, C, ...spatial] : [...lead, ...spatial, C];

/** Runs `perSample` on channels-last data, moving the channel axis when the layer is channels_first. */
function channelsLast(x: Tensor, w: WindowParams, lead: number): { data: Float64Array; shape: number[] } {
  return w.channelsFirst ? moveChannels(x.array.data, x.array.shape, lead, true) : { data: x.array.data, shape: x.array.shape };
}

export function convSpec(rank: number): LayerSpec {
  const filters = (layer: Layer): number => Number(cfg(layer).filters ?? cfg(layer).nb_filter);
  const useBias = (layer: Layer): boolean => cfg(layer).use_bias ?? cfg(layer).bias ?? true;
  const expected = (layer: Layer, s: Shape): ExpectedWeight[] => {
    const w = windowParams(layer, rank);
    const { C } = splitShape(s, 1, w.channelsFirst);
    const groups = Number(cfg(layer).groups ?? 1);
    const e: ExpectedWeight[] = [{ role: 'kernel', shape: [...w.kernel, C == null ? null : C / groups, filters(layer)], trainable: true }];
    if (useBias(layer)) e.push({ role: 'bias', shape: [filters(layer)], trainable: true });
    return e;
  };
  return {
    outputShapes(layer, inputs) {
      const s = one(layer, inputs);
      const w = windowParams(layer, rank);
      return [joinShape([s[0] ?? null], windowShape(splitShape(s, 1, w.channelsFirst).spatial, w), filters(layer), w.channelsFirst)];
    },
    expectedWeights(layer, inputs) {
      return expected(layer, one(layer, inputs));
    },
    describe(layer, _inputs, shapes) {
      const k = shapes[0];
      const total = k?.every((d) => d != null) ? (k as number[]).reduce((a, b) => a * b, 1) + (useBias(layer) ? filters(layer) : 0) : undefined;
      const weights = [{ symbol: 'W', notation: `${'k×'.repeat(rank)}C×F` }, ...(useBias(layer) ? [{ symbol: 'b', notation: 'F' }] : [])];
      const act = activationName(cfg(layer).activation);
      const lin = `Σ_k x[p·s + k·d]·W_k${useBias(layer) ? ' + b' : ''}`;
      return {
        weights,
        arithmetic: total === undefined ? undefined : `${(k as number[]).join('×')}${useBias(layer) ? ` + ${filters(layer)}` : ''} = ${total}`,
        equations: [`y[p] = ${act === 'linear' ? lin : `${act}(${lin})`}   (padding ${windowParams(layer, rank).padding})`],
      };
    },
    forward(layer, inputs, ctx) {
      const x = one(layer, inputs);
      const w = windowParams(layer, rank);
      if (Number(cfg(layer).groups ?? 1) !== 1) throw new InspectorError('', `not supported: grouped convolution (layer ${layer.name})`);
      const xl = channelsLast(x, w, 1);
      const [N, ...rest] = xl.shape;
      const Cin = rest[rank];
      const F = filters(layer);
      const [W, b] = bindWeights(layer, expected(layer, [null, ...rest]));
      const g = geometry(rest.slice(0, rank), w.kernel, w.strides, w.dilation, w.padding);
      const inSize = rest.reduce((a, c) => a * c, 1);
      const outSize = g.O[0] * g.O[1] * g.O[2] * F;
      const out = new Float64Array(N * outSize);
      for (let n = 0; n < N; n++) convSample(xl.data, n * inSize, g, Cin, W, F, out, n * outSize, b ?? null);
      const spec = cfg(layer).activation;
      const act = resolveActivation(spec, ctx.kerasVersion);
      if (!act) throw new InspectorError('', `not supported: activation '${activationName(spec)}' (layer ${layer.name})`);
      applyActivation(act, out, F);
      const shape = [N, ...g.O.slice(0, rank), F];
      const y = w.channelsFirst ? moveChannels(out, shape, 1, false) : { data: out, shape };
      return [{ array: nd(y.shape, y.data), mask: null }];
    },
  };
}

export function poolSpec(rank: number, max: boolean): LayerSpec {
  return {
    transparent: true,
    outputShapes(layer, inputs) {
      const s = one(layer, inputs);
      const w = windowParams(layer, rank, true);
      const { spatial, C } = splitShape(s, 1, w.channelsFirst);
      return [joinShape([s[0] ?? null], windowShape(spatial, w), C, w.channelsFirst)];
    },
    describe(layer) {
      const w = windowParams(layer, rank, true);
      return { equations: [`y[p] = ${max ? 'max' : 'mean'} of x over a ${w.kernel.join('×')} window, stride ${w.strides.join('×')} (padding ${w.padding})`] };
    },
    forward(layer, inputs) {
      const x = one(layer, inputs);
      const w = windowParams(layer, rank, true);
      const xl = channelsLast(x, w, 1);
      const [N, ...rest] = xl.shape;
      const C = rest[rank];
      const g = geometry(rest.slice(0, rank), w.kernel, w.strides, w.dilation, w.padding);
      const inSize = rest.reduce((a, c) => a * c, 1);
      const outSize = g.O[0] * g.O[1] * g.O[2] * C;
      const out = new Float64Array(N * outSize);
      for (let n = 0; n < N; n++) poolSample(xl.data, n * inSize, g, C, max, out, n * outSize);
      const shape = [N, ...g.O.slice(0, rank), C];
      const y = w.channelsFirst ? moveChannels(out, shape, 1, false) : { data: out, shape };
      return [{ array: nd(y.shape, y.data), mask: null }];
    },
  };
}
