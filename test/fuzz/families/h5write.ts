/**
 * Reads a Keras 2 full-model .h5 (model_config + model_weights) into plain data, and writes one
 * back with h5wasm, with hooks to lie at every level: root attributes, layer_names, weight_names,
 * each weight dataset (replaced by a link, a huge or mistyped dataset).
 */
import { h5wasm } from '../../../src/core/formats/h5';

type H5 = Awaited<ReturnType<typeof h5wasm>>;
type Group = InstanceType<H5['File']>;

export interface SeedWeight {
  /** Path inside the layer's group, e.g. simple_rnn/simple_rnn_cell/kernel. */
  name: string;
  shape: number[];
  data: Float32Array;
}
export interface SeedLayer {
  name: string;
  weights: SeedWeight[];
}
export interface SeedH5 {
  attrs: { keras_version: string; backend: string; model_config: string };
  layers: SeedLayer[];
}

const strs = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>, String) : v == null ? [] : [String(v)]);

export async function readSeed(file: string): Promise<SeedH5> {
  const mod = await h5wasm();
  const f = new mod.File(file, 'r');
  try {
    const a = (n: string) => String(f.attrs[n]?.value ?? '');
    const mw = f.get('model_weights') as Group;
    const layers = strs(mw.attrs.layer_names.value).map((name) => {
      const g = mw.get(name) as Group;
      const weights = strs(g.attrs.weight_names?.value).map((w) => {
        const ds = g.get(w) as unknown as { shape: number[]; value: ArrayLike<number> };
        return { name: w, shape: ds.shape, data: Float32Array.from(ds.value) };
      });
      return { name, weights };
    });
    return { attrs: { keras_version: a('keras_version'), backend: a('backend'), model_config: a('model_config') }, layers };
  } finally {
    f.close();
  }
}

export interface WriteHooks {
  /** Root attributes to write instead (undefined: leave out; a non-string: written as that type). */
  rootAttrs?: (a: SeedH5['attrs']) => Record<string, unknown>;
  /** The layer_names attribute. */
  layerNames?: (names: string[]) => unknown;
  /** A layer's weight_names attribute. */
  weightNames?: (layer: SeedLayer) => unknown;
  /** Writes one weight itself (a link, a lie) and returns true; else the real one is written. */
  weight?: (g: Group, w: SeedWeight, layer: SeedLayer, mod: H5) => boolean;
  /** Anything else, once the file is written (extra groups, links). */
  after?: (f: Group, mod: H5) => void;
}

function attr(obj: Group, name: string, v: unknown): void {
  if (v === undefined) return;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint' || Array.isArray(v)) obj.create_attribute(name, v as never);
  else if (typeof v === 'boolean') obj.create_attribute(name, v ? 1 : 0);
  else obj.create_attribute(name, JSON.stringify(v));
}

function ensureGroup(g: Group, p: string): Group {
  let cur = g;
  for (const part of p.split('/').filter(Boolean)) {
    const next = cur.keys().includes(part) ? (cur.get(part) as Group) : (cur.create_group(part) as unknown as Group);
    cur = next;
  }
  return cur;
}

export async function writeH5(file: string, seed: SeedH5, hooks: WriteHooks = {}): Promise<void> {
  const mod = await h5wasm();
  const f = new mod.File(file, 'w');
  try {
    const root = hooks.rootAttrs ? hooks.rootAttrs(seed.attrs) : seed.attrs;
    for (const [k, v] of Object.entries(root)) attr(f, k, v);
    const mw = f.create_group('model_weights') as unknown as Group;
    attr(mw, 'backend', seed.attrs.backend);
    attr(mw, 'keras_version', seed.attrs.keras_version);
    const names = seed.layers.map((l) => l.name);
    attr(mw, 'layer_names', hooks.layerNames ? hooks.layerNames(names) : names);
    for (const l of seed.layers) {
      const g = ensureGroup(mw, l.name);
      const wn = hooks.weightNames ? hooks.weightNames(l) : l.weights.map((w) => w.name);
      if (Array.isArray(wn) && wn.length === 0) g.create_attribute('weight_names', new Float64Array(0) as never, [0], '<d');
      else attr(g, 'weight_names', wn);
      for (const w of l.weights) {
        if (hooks.weight?.(g, w, l, mod)) continue;
        const parts = w.name.split('/');
        const parent = ensureGroup(g, parts.slice(0, -1).join('/'));
        parent.create_dataset({ name: parts[parts.length - 1], data: w.data, shape: w.shape, dtype: '<f' });
      }
    }
    hooks.after?.(f, mod);
  } finally {
    f.close();
  }
}

/** The parent group of a weight inside its layer group, created if needed, and the leaf name. */
export function weightParent(g: Group, w: SeedWeight): { parent: Group; leaf: string } {
  const parts = w.name.split('/');
  return { parent: ensureGroup(g, parts.slice(0, -1).join('/')), leaf: parts[parts.length - 1] };
}
