/** Conv1D (channels_last; padding valid / same / causal; strides; dilation; groups). */
import { InspectorError, type Layer, type Shape } from '../model';
import { activationName, applyActivation, resolveActivation } from '../math/activations';
import type { ExpectedWeight, LayerSpec } from './types';
import { bindWeights, cfg, lastDim, nd, one } from './util';

/** Output length of a 1-D window op, as Keras computes it. */
export function convLength(L: number, k: number, s: number, dil: number, padding: string): number {
  const eff = dil * (k - 1) + 1;
  if (padding === 'same' || padding === 'causal') return Math.ceil(L / s);
  return Math.floor((L - eff) / s) + 1;
}

/** Left padding of 'same' (TensorFlow puts the extra element on the right). */
export function samePadBefore(L: number, k: number, s: number, dil: number): number {
  const eff = dil * (k - 1) + 1;
  const out = Math.ceil(L / s);
  const total = Math.max((out - 1) * s + eff - L, 0);
  return Math.floor(total / 2);
}

const first = (v: unknown, dflt: number): number => (Array.isArray(v) ? Number(v[0]) : v == null ? dflt : Number(v));

function params(layer: Layer) {
  const c = cfg(layer);
  return {
    filters: Number(c.filters ?? c.nb_filter),
    k: first(c.kernel_size ?? c.filter_length, 1),
    s: first(c.strides ?? c.subsample_length, 1),
    dil: first(c.dilation_rate, 1),
    padding: String(c.padding ?? c.border_mode ?? 'valid'),
    groups: Number(c.groups ?? 1),
    useBias: c.use_bias ?? c.bias ?? true,
  };
}

function expected(layer: Layer, input: Shape): ExpectedWeight[] {
  const p = params(layer);
  const C = lastDim(input);
  const w: ExpectedWeight[] = [{ role: 'kernel', shape: [p.k, C == null ? null : C / p.groups, p.filters], trainable: true }];
  if (p.useBias) w.push({ role: 'bias', shape: [p.filters], trainable: true });
  return w;
}

export const conv1DSpec: LayerSpec = {
  outputShapes(layer, inputs) {
    const s = one(layer, inputs);
    const p = params(layer);
    if (cfg(layer).data_format === 'channels_first') {
      const L = s[2];
      return [[s[0], p.filters, L == null ? null : convLength(L, p.k, p.s, p.dil, p.padding)]];
    }
    const L = s[1];
    return [[s[0], L == null ? null : convLength(L, p.k, p.s, p.dil, p.padding), p.filters]];
  },
  expectedWeights(layer, inputs) {
    return expected(layer, one(layer, inputs));
  },
  indexed: true,
  /** W⁽ℓ⁾ k⁽ℓ⁾×C×F⁽ℓ⁾: kernel size and filters get the layer's index, C is the input's own letter. */
  describe(layer, _inputs, shapes, _ctx, where) {
    const p = params(layer);
    const ks = shapes[0];
    const sup = where.sup;
    const C = where.inLetter ?? String(ks?.[1] ?? '?');
    const [k, F] = [`k${sup}`, `F${sup}`];
    const w = [{ symbol: `W${sup}`, notation: `${k}×${C}×${F}` }];
    if (p.useBias) w.push({ symbol: `b${sup}`, notation: F });
    const arithmetic =
      ks && ks.every((d) => d != null)
        ? `${ks[0]}×${ks[1]}×${ks[2]}${p.useBias ? ` + ${p.filters}` : ''} = ${(ks[0] as number) * (ks[1] as number) * (ks[2] as number) + (p.useBias ? p.filters : 0)}`
        : undefined;
    const act = activationName(cfg(layer).activation);
    const lin = `Σ_j x_{t·${p.s}+j·${p.dil}}·W_j${p.useBias ? ' + b' : ''}`;
    const letters = ks && ks.every((d) => d != null)
      ? [
          { letter: k, value: ks[0], meaning: `kernel size of ${layer.name}` },
          { letter: F, value: ks[2], meaning: `filters of ${layer.name}` },
        ]
      : [];
    return { weights: w, arithmetic, equations: [`y_t = ${act === 'linear' ? lin : `${act}(${lin})`}   (padding ${p.padding})`], letters, outLetter: F };
  },
  forward(layer, inputs, ctx) {
    const x = one(layer, inputs);
    if (cfg(layer).data_format === 'channels_first') throw new InspectorError('', `not supported: Conv1D with channels_first (layer ${layer.name})`);
    const p = params(layer);
    const [N, L, C] = x.array.shape;
    const [W, b] = bindWeights(layer, expected(layer, [null, L, C]));
    const F = p.filters;
    const Cg = C / p.groups;
    const Fg = F / p.groups;
    const Lo = convLength(L, p.k, p.s, p.dil, p.padding);
    const before = p.padding === 'causal' ? p.dil * (p.k - 1) : p.padding === 'same' ? samePadBefore(L, p.k, p.s, p.dil) : 0;
    const out = new Float64Array(N * Lo * F);
    const d = x.array.data;
    for (let n = 0; n < N; n++)
      for (let o = 0; o < Lo; o++) {
        const oo = (n * Lo + o) * F;
        if (b) for (let f = 0; f < F; f++) out[oo + f] = b[f];
        for (let j = 0; j < p.k; j++) {
          const t = o * p.s - before + j * p.dil;
          if (t < 0 || t >= L) continue;
          const xo = (n * L + t) * C;
          for (let g = 0; g < p.groups; g++)
            for (let ci = 0; ci < Cg; ci++) {
              const v = d[xo + g * Cg + ci];
              if (v === 0) continue;
              const wo = (j * Cg + ci) * F + g * Fg;
              for (let f = 0; f < Fg; f++) out[oo + g * Fg + f] += v * W[wo + f];
            }
        }
      }
    const spec = cfg(layer).activation;
    const act = resolveActivation(spec, ctx.kerasVersion);
    if (!act) throw new InspectorError('', `not supported: activation '${activationName(spec)}' (layer ${layer.name})`);
    applyActivation(act, out, F);
    return [{ array: nd([N, Lo, F], out), mask: null }];
  },
};
