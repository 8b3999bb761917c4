/**
 * Cropping1D, ZeroPadding1D, UpSampling1D on (N, T, C): crop or zero-pad the time axis by
 * (before, after), or repeat every step `size` times. The mask is not carried (Keras drops it).
 */
import { InspectorError, type Layer } from '../model';
import type { LayerSpec } from './types';
import { cfg, nd, one } from './util';

function pair(v: unknown, dflt: number): [number, number] {
  if (Array.isArray(v)) return [Number(v[0]), Number(v[1] ?? v[0])];
  const n = v == null ? dflt : Number(v);
  return [n, n];
}

type Kind = 'crop' | 'pad' | 'up';

function stepsOut(layer: Layer, kind: Kind, T: number): number {
  const c = cfg(layer);
  if (kind === 'up') return T * Number(c.size ?? c.length ?? 2);
  const [a, b] = pair(kind === 'crop' ? c.cropping : c.padding, 1);
  return kind === 'crop' ? T - a - b : T + a + b;
}

export function timeAxisSpec(kind: Kind): LayerSpec {
  return {
    transparent: true,
    outputShapes(layer, inputs) {
      const s = one(layer, inputs);
      return [[s[0] ?? null, s[1] == null ? null : stepsOut(layer, kind, s[1]), ...s.slice(2)]];
    },
    describe(layer) {
      const c = cfg(layer);
      const what = kind === 'up' ? `each step repeated ${c.size ?? 2} times` : kind === 'crop' ? `cropped by ${JSON.stringify(c.cropping)}` : `zero-padded by ${JSON.stringify(c.padding)}`;
      return { equations: [`the time axis ${what}`] };
    },
    forward(layer, inputs) {
      const x = one(layer, inputs).array;
      if (x.shape.length !== 3) throw new InspectorError('', `layer ${layer.name} (${layer.className}) expects (N, T, C), got ${x.shape.length}-D`);
      const [N, T, C] = x.shape;
      const To = stepsOut(layer, kind, T);
      if (To < 0) throw new InspectorError('', `layer ${layer.name} (${layer.className}) crops more steps than the input has (${T})`);
      const out = new Float64Array(N * To * C);
      const c = cfg(layer);
      for (let n = 0; n < N; n++)
        for (let t = 0; t < To; t++) {
          let src: number;
          if (kind === 'up') src = Math.floor(t / Number(c.size ?? c.length ?? 2));
          else if (kind === 'crop') src = t + pair(c.cropping, 1)[0];
          else src = t - pair(c.padding, 1)[0];
          if (src < 0 || src >= T) continue;
          out.set(x.data.subarray((n * T + src) * C, (n * T + src + 1) * C), (n * To + t) * C);
        }
      return [{ array: nd([N, To, C], out), mask: null }];
    },
  };
}
