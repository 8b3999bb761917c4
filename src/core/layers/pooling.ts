/** 1-D pooling: GlobalAverage/GlobalMaxPooling1D (average honours the mask), Max/AveragePooling1D. */
import { InspectorError, type Layer, type Shape } from '../model';
import type { LayerSpec } from './types';
import { cfg, nd, one } from './util';
import { convLength, samePadBefore } from './conv';

const channelsFirst = (layer: Layer): boolean => cfg(layer).data_format === 'channels_first';

export const globalPool1DSpec: LayerSpec = {
  outputShapes(layer, inputs) {
    const s = one(layer, inputs);
    const C = channelsFirst(layer) ? s[1] : s[2];
    return [cfg(layer).keepdims ? (channelsFirst(layer) ? [s[0], C, 1] : [s[0], 1, C]) : [s[0], C ?? null]];
  },
  forward(layer, inputs) {
    const x = one(layer, inputs);
    if (channelsFirst(layer)) throw new InspectorError('', `not supported: ${layer.className} with channels_first (layer ${layer.name})`);
    const [N, T, C] = x.array.shape;
    const avg = layer.className.startsWith('GlobalAv');
    const out = new Float64Array(N * C);
    const d = x.array.data;
    const mask = avg ? x.mask : null;
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        let acc = avg ? 0 : -Infinity;
        let count = 0;
        for (let t = 0; t < T; t++) {
          if (mask && !mask[n * T + t]) continue;
          const v = d[(n * T + t) * C + c];
          if (avg) acc += v;
          else if (v > acc) acc = v;
          count++;
        }
        out[n * C + c] = avg ? (count ? acc / count : 0) : acc;
      }
    }
    const shape = cfg(layer).keepdims ? [N, 1, C] : [N, C];
    return [{ array: nd(shape, out), mask: null }];
  },
};

function poolParams(layer: Layer): { k: number; s: number; same: boolean } {
  const c = cfg(layer);
  const first = (v: unknown) => (Array.isArray(v) ? Number(v[0]) : v == null ? null : Number(v));
  const k = first(c.pool_size ?? c.pool_length) ?? 2;
  const s = first(c.strides ?? c.stride) ?? k;
  return { k, s, same: c.padding === 'same' };
}

export const pool1DSpec: LayerSpec = {
  outputShapes(layer, inputs) {
    const s = one(layer, inputs);
    const { k, s: st, same } = poolParams(layer);
    const L = s[1];
    return [[s[0], L == null ? null : convLength(L, k, st, 1, same ? 'same' : 'valid'), s[2] ?? null] as Shape];
  },
  forward(layer, inputs) {
    const x = one(layer, inputs);
    if (channelsFirst(layer)) throw new InspectorError('', `not supported: ${layer.className} with channels_first (layer ${layer.name})`);
    const [N, L, C] = x.array.shape;
    const { k, s, same } = poolParams(layer);
    const Lo = convLength(L, k, s, 1, same ? 'same' : 'valid');
    const before = same ? samePadBefore(L, k, s, 1) : 0;
    const max = layer.className.startsWith('Max');
    const out = new Float64Array(N * Lo * C);
    const d = x.array.data;
    for (let n = 0; n < N; n++)
      for (let o = 0; o < Lo; o++)
        for (let c = 0; c < C; c++) {
          let acc = max ? -Infinity : 0;
          let count = 0;
          for (let j = 0; j < k; j++) {
            const t = o * s - before + j;
            if (t < 0 || t >= L) continue; // padding is excluded from both max and average
            const v = d[(n * L + t) * C + c];
            if (max) {
              if (v > acc) acc = v;
            } else acc += v;
            count++;
          }
          out[(n * Lo + o) * C + c] = max ? acc : acc / count;
        }
    return [{ array: nd([N, Lo, C], out), mask: null }];
  },
};
