/** Embedding: integer ids (N, T) → rows of We (V×E); mask_zero masks id 0. */
import { InspectorError } from '../model';
import type { LayerSpec } from './types';
import { takeF64 } from '../math/bufferPool';
import { bindWeights, cfg, nd, one } from './util';
import { embeddingBackward } from './embeddingBackward';

const dims = (c: Record<string, any>): [number, number] => [Number(c.input_dim), Number(c.output_dim)];

export const embeddingSpec: LayerSpec = {
  transparent: false,
  outputShapes(layer, inputs) {
    const s = one(layer, inputs);
    return [[...s, dims(cfg(layer))[1]]];
  },
  expectedWeights(layer) {
    return [{ role: 'embeddings', shape: dims(cfg(layer)), trainable: true }];
  },
  describe(layer, _inputs, shapes) {
    const [V, E] = (shapes[0] as number[] | undefined) ?? dims(cfg(layer));
    return {
      weights: [{ symbol: 'We', notation: 'V×E' }],
      arithmetic: `${V}×${E} = ${V * E}`,
      equations: [`e_t = We[id_t]${cfg(layer).mask_zero ? '   (id 0 is masked)' : ''}`],
      terms: { We: { letters: 'V×E', numbers: `${V}×${E}` }, e_t: { letters: 'E', numbers: String(E) } },
      letters: [
        { letter: 'V', value: V, meaning: `vocabulary size of ${layer.name}` },
        { letter: 'E', value: E, meaning: `embedding size of ${layer.name}` },
      ],
      outLetter: 'E',
      outVector: 'e_t',
    };
  },
  forward(layer, inputs) {
    const x = one(layer, inputs);
    const [V, E] = dims(cfg(layer));
    const [We] = bindWeights(layer, [{ role: 'embeddings', shape: [V, E], trainable: true }]);
    const ids = x.array.data;
    // From the pool (math/bufferPool.ts: a fresh array's first touch is a page fault per 4 kB), every
    // element written; rows copied by a plain loop (a subarray per id cost more than the copy).
    const out = takeF64(ids.length * E);
    for (let i = 0, o = 0; i < ids.length; i++) {
      const id = ids[i];
      if (!Number.isInteger(id) || id < 0 || id >= V) {
        throw new InspectorError('', `layer ${layer.name} (Embedding): input value ${id} is not an integer id in [0, ${V})`);
      }
      for (let j = 0, f = id * E; j < E; j++) out[o++] = We[f + j];
    }
    let mask: Uint8Array | null = null;
    if (cfg(layer).mask_zero && x.array.shape.length === 2) {
      mask = new Uint8Array(ids.length);
      for (let i = 0; i < ids.length; i++) mask[i] = ids[i] !== 0 ? 1 : 0;
    }
    return [{ array: nd([...x.array.shape, E], out), mask }];
  },
  backward: embeddingBackward,
};
