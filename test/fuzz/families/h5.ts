/**
 * HDF5 files written with h5wasm: real weights with a lying Keras config (h5config), and lies in
 * the HDF5 structure itself (h5struct): links out of the folder, link cycles, huge declared
 * datasets, mistyped datasets and attributes, lying layer_names / weight_names.
 */
import * as path from 'node:path';
import { FIXED_LIES, lieFor, serialize } from './configLies';
import { readSeed, writeH5, weightParent, type SeedH5, type WriteHooks } from './h5write';
import { sidecars, standardRuns, type Env, type Family } from '../types';

const SEEDS = ['seed_n1', 'lstm', 'bidir_concat', 'functional_branches', 'stacked', 'gru'];
const cache = new Map<string, Promise<SeedH5>>();
const seedOf = (env: Env, c: string) => {
  const p = path.join(env.fixtures, 'keras', c, 'model.h5');
  if (!cache.has(p)) cache.set(p, readSeed(p));
  return cache.get(p)!;
};

export const h5configFamily: Family = {
  name: 'h5config',
  weight: 15,
  fixed: FIXED_LIES.length,
  make(index, rng, env) {
    const c = SEEDS[index % SEEDS.length];
    const lie = lieFor(index, rng);
    return {
      get name() {
        return `${c}/model.h5: ${lie.name}`;
      },
      async build(d) {
        const seed = await seedOf(env, c);
        const cfg = lie.apply(JSON.parse(seed.attrs.model_config));
        const file = path.join(d.model, 'model.h5');
        await writeH5(file, { ...seed, attrs: { ...seed.attrs, model_config: serialize(cfg) } });
        const has = sidecars(path.join(env.fixtures, 'keras', c), d);
        return { runs: standardRuns(file, has), expect: 'any', detail: lie.name };
      },
    };
  },
};

type Lie = { name: string; hooks: (d: { outside: string; sentinels: { h5: string; bin: string } }, model: string) => WriteHooks; expect?: 'error' | 'any' };

const rel = (from: string, to: string) => path.relative(from, to);

const STRUCT_LIES: Lie[] = [
  { name: 'control (rewritten, unchanged)', hooks: () => ({}), expect: 'any' },
  {
    name: 'a weight is an external link to ../outside/sentinel.h5',
    hooks: (d, model) => ({ weight: (g, w, l) => (l.weights[0] === w ? (weightParent(g, w).parent.create_external_link(rel(model, d.sentinels.h5), '/w', weightParent(g, w).leaf), true) : false) }),
  },
  {
    name: 'a weight is an external link to an absolute path',
    hooks: (d) => ({ weight: (g, w, l) => (l.weights[0] === w ? (weightParent(g, w).parent.create_external_link(d.sentinels.h5, '/w', weightParent(g, w).leaf), true) : false) }),
  },
  {
    name: 'a layer group is an external link outside the folder',
    hooks: (d, model) => ({ after: (f) => (f.get('model_weights') as typeof f).create_external_link(rel(model, d.sentinels.h5), '/', 'ext_layer'), layerNames: (n) => [...n, 'ext_layer'] }),
  },
  { name: 'a weight is a soft link to itself', hooks: () => ({ weight: (g, w, l) => (l.weights[0] === w ? (weightParent(g, w).parent.create_soft_link(`/model_weights/${l.name}/${w.name}`, weightParent(g, w).leaf), true) : false) }) },
  { name: 'hard link cycle in model_weights', hooks: () => ({ after: (f) => { for (const n of (f.get('model_weights') as typeof f).keys()) (f.get(`model_weights/${n}`) as typeof f).create_hard_link('/model_weights', 'loop'); } }) },
  { name: 'hard link cycle named in layer_names', hooks: () => ({ after: (f) => (f.get('model_weights') as typeof f).create_hard_link('/model_weights', 'cycle'), layerNames: (n) => ['cycle', ...n] }) },
  {
    name: 'a weight declares 1e9 elements (chunked, never written)',
    hooks: () => ({
      weight: (g, w, l) => {
        if (l.weights[0] !== w) return false;
        const { parent, leaf } = weightParent(g, w);
        const ds = parent.create_dataset({ name: leaf, data: new Float32Array(1), shape: [1, 1], maxshape: [null, null], chunks: [1, 1], dtype: '<f' });
        (ds as unknown as { resize(s: number[]): void }).resize([40000, 25000]);
        return true;
      },
    }),
  },
  {
    name: 'a weight declares 2^40 elements',
    hooks: () => ({
      weight: (g, w, l) => {
        if (l.weights[0] !== w) return false;
        const { parent, leaf } = weightParent(g, w);
        const ds = parent.create_dataset({ name: leaf, data: new Float32Array(1), shape: [1, 1], maxshape: [null, null], chunks: [1, 1], dtype: '<f' });
        (ds as unknown as { resize(s: number[]): void }).resize([2 ** 20, 2 ** 20]);
        return true;
      },
    }),
  },
  { name: 'a weight is int32', hooks: () => ({ weight: (g, w, l) => (l.weights[0] === w ? (weightParent(g, w).parent.create_dataset({ name: weightParent(g, w).leaf, data: Int32Array.from(w.data, (x) => Math.round(x * 100)), shape: w.shape, dtype: '<i' }), true) : false) }) },
  { name: 'a weight is a string', hooks: () => ({ weight: (g, w, l) => (l.weights[0] === w ? (weightParent(g, w).parent.create_dataset({ name: weightParent(g, w).leaf, data: 'not a number' }), true) : false) }) },
  { name: 'a weight is a scalar', hooks: () => ({ weight: (g, w, l) => (l.weights[0] === w ? (weightParent(g, w).parent.create_dataset({ name: weightParent(g, w).leaf, data: new Float32Array([1]), shape: [], dtype: '<f' }), true) : false) }) },
  { name: 'a weight is transposed', hooks: () => ({ weight: (g, w, l) => (l.weights[0] === w && w.shape.length === 2 ? (weightParent(g, w).parent.create_dataset({ name: weightParent(g, w).leaf, data: w.data, shape: [w.shape[1], w.shape[0]], dtype: '<f' }), true) : false) }) },
  { name: 'a weight has shape [0, 5]', hooks: () => ({ weight: (g, w, l) => (l.weights[0] === w ? (weightParent(g, w).parent.create_dataset({ name: weightParent(g, w).leaf, data: new Float32Array(0), shape: [0, 5], dtype: '<f' }), true) : false) }) },
  { name: 'a weight is a group', hooks: () => ({ weight: (g, w, l) => (l.weights[0] === w ? (weightParent(g, w).parent.create_group(weightParent(g, w).leaf), true) : false) }) },
  { name: 'weight_names name a missing dataset', hooks: () => ({ weightNames: (l) => [...l.weights.map((w) => w.name), `${l.name}/missing:0`] }) },
  { name: 'weight_names are numbers', hooks: () => ({ weightNames: (l) => l.weights.map((_, i) => i) }) },
  { name: 'weight_names duplicated', hooks: () => ({ weightNames: (l) => [...l.weights, ...l.weights].map((w) => w.name) }) },
  { name: 'weight_names is __proto__', hooks: () => ({ weightNames: () => ['__proto__'] }) },
  { name: 'layer_names names a missing group', hooks: () => ({ layerNames: (n) => [...n, 'missing_layer'] }) },
  { name: 'layer_names duplicated', hooks: () => ({ layerNames: (n) => [...n, ...n] }) },
  { name: 'layer_names empty', hooks: () => ({ layerNames: () => [] }) },
  { name: 'layer_names is a number', hooks: () => ({ layerNames: () => 3 }) },
  { name: 'layer_names lists 20,000 names', hooks: () => ({ layerNames: (n) => Array.from({ length: 20_000 }, (_, i) => n[i % n.length] + (i >= n.length ? `_${i}` : '')) }) },
  { name: '5,000 extra layer groups', hooks: () => ({ after: (f) => { const mw = f.get('model_weights') as typeof f; for (let i = 0; i < 5000; i++) mw.create_group(`extra_${i}`); } }) },
  { name: 'groups nested 100 deep', hooks: () => ({ after: (f) => { let g = f.get('model_weights') as typeof f; for (let i = 0; i < 100; i++) g = g.create_group('d') as unknown as typeof f; } }) },
  { name: 'keras_version is a number', hooks: () => ({ rootAttrs: (a) => ({ ...a, keras_version: 2 }) }) },
  { name: 'keras_version is a list', hooks: () => ({ rootAttrs: (a) => ({ ...a, keras_version: ['2', '3'] }) }) },
  { name: 'model_config is not JSON', hooks: () => ({ rootAttrs: (a) => ({ ...a, model_config: '{"class_name": "Sequential", "config": [' }) }) },
  { name: 'model_config is a number', hooks: () => ({ rootAttrs: (a) => ({ ...a, model_config: 12 }) }) },
  { name: 'model_config is JSON null', hooks: () => ({ rootAttrs: (a) => ({ ...a, model_config: 'null' }) }) },
  { name: 'model_config 10,000 deep', hooks: () => ({ rootAttrs: (a) => ({ ...a, model_config: '['.repeat(10000) + ']'.repeat(10000) }) }) },
  { name: 'model_config of 20 MB', hooks: () => ({ rootAttrs: (a) => ({ ...a, model_config: JSON.stringify({ ...JSON.parse(a.model_config), pad: 'x'.repeat(20 << 20) }) }) }) },
  { name: 'no root attributes', hooks: () => ({ rootAttrs: () => ({}) }) },
  { name: 'backend is __proto__', hooks: () => ({ rootAttrs: (a) => ({ ...a, backend: '__proto__' }) }) },
  { name: 'layer name with terminal escapes', hooks: () => ({ layerNames: (n) => [...n, '\u001b[2J\u001b]0;pwned\u0007'], after: (f) => (f.get('model_weights') as typeof f).create_group('\u001b[2J\u001b]0;pwned\u0007') }) },
];

export const h5structFamily: Family = {
  name: 'h5struct',
  weight: 7,
  fixed: STRUCT_LIES.length,
  make(index, rng, env) {
    const c = SEEDS[(index + rng.int(0, SEEDS.length - 1) * (index >= STRUCT_LIES.length ? 1 : 0)) % SEEDS.length];
    const lie = STRUCT_LIES[index % STRUCT_LIES.length];
    return {
      name: `${c}/model.h5: ${lie.name}`,
      async build(d) {
        const seed = await seedOf(env, c);
        const file = path.join(d.model, 'model.h5');
        await writeH5(file, seed, lie.hooks(d, d.model));
        const has = sidecars(path.join(env.fixtures, 'keras', c), d);
        return { runs: standardRuns(file, has), expect: lie.expect ?? 'any' };
      },
    };
  },
};
