/**
 * Keras 3 formats: the weight store (`*.weights.h5`, and `model.weights.h5` inside a `.keras` zip)
 * and the `.keras` archive itself (config.json + metadata.json + model.weights.h5).
 *
 * Weight-store keys are snake_cased class names with a per-container counter (`simple_rnn`,
 * `simple_rnn_1`, `dense`), not layer names: they are mapped to config layers by class and order,
 * exactly as Keras's saving_lib assigns them.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InspectorError, type Layer, type Weight } from '../model';
import { MAX_H5_DEPTH, attrString, checkDeclaredSize, datasetDtype, isDataset, isGroup, member, readFloats, type h5wasm, type H5File, type H5Group } from './h5';
import type { Graph } from './kerasConfig';
import { registerRegion } from './h5region';
import { closeZip, entryRegion, inflateEntryTo, openZip, readEntry, type ZipArchive } from './zip';

type H5Module = Awaited<ReturnType<typeof h5wasm>>;

export interface StoreEntry {
  key: string;
  /** The vars group's `name` attribute (Keras ≥ 3.8 writes the layer name there). */
  name?: string;
  /** All variables under the key, in get_weights() order. */
  weights: Weight[];
}
export type WeightStore = StoreEntry[];

/** Keras's naming.to_snake_case, used for weight-store keys. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

const CHILD_ORDER = ['cell', 'layer', 'forward_layer', 'backward_layer', 'layers'];

function collectVars(mod: H5Module, g: H5Group, p: string, withData: boolean, depth = 0): Weight[] {
  if (depth > MAX_H5_DEPTH) {
    throw new InspectorError('', `the weight store nests groups more than ${MAX_H5_DEPTH} deep (at ${p.split('/').slice(0, 6).join('/')}/…): a link cycle, or not a Keras weight store`);
  }
  const out: Weight[] = [];
  const keys = g.keys();
  if (keys.includes('vars')) {
    const vars = member(mod, g, 'vars');
    if (isGroup(mod, vars)) {
      const idx = vars.keys().filter((k) => /^\d+$/.test(k)).sort((a, b) => Number(a) - Number(b));
      for (const i of idx) {
        const ds = member(mod, vars, i);
        if (!isDataset(mod, ds)) continue;
        if (!withData) checkDeclaredSize(ds);
        out.push({ name: `${p}/vars/${i}`, role: '', shape: ds.shape ?? [], dtype: attrString(ds, 'dtype') === 'bfloat16' ? 'bfloat16' : datasetDtype(ds), trainable: true, data: withData ? readFloats(ds) : undefined });
      }
    }
  }
  const children = keys
    .filter((k) => k !== 'vars')
    .sort((a, b) => {
      const ia = CHILD_ORDER.indexOf(a);
      const ib = CHILD_ORDER.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b, 'en', { numeric: true });
    });
  for (const k of children) {
    const child = member(mod, g, k);
    if (isGroup(mod, child)) out.push(...collectVars(mod, child, `${p}/${k}`, withData, depth + 1));
  }
  return out;
}

export function readWeightStore(f: H5File, mod: H5Module, rootKey: string, withData: boolean): WeightStore {
  const root = member(mod, f, rootKey);
  if (!isGroup(mod, root)) throw new InspectorError('', `${rootKey}/ is not a group`);
  return root.keys().map((key) => {
    const g = member(mod, root, key);
    if (!isGroup(mod, g)) return { key, weights: [] };
    const vars = g.keys().includes('vars') ? member(mod, g, 'vars') : null;
    const name = isGroup(mod, vars) ? attrString(vars, 'name') : undefined;
    return { key, name, weights: collectVars(mod, g, `${rootKey}/${key}`, withData) };
  });
}

/**
 * A weight store written on Windows by tf.keras 2.x / early Keras 3: the top-level group names are
 * whole paths joined with backslashes (`layers\\gru`, `layers\\gru\\cell`, each with its own
 * `vars`). Read as if the backslashes were slashes.
 */
export function readBackslashStore(f: H5File, mod: H5Module, withData: boolean): WeightStore {
  const keys = f.keys().filter((k) => k.startsWith('layers\\'));
  const layerKeys = [...new Set(keys.map((k) => k.split('\\')[1]))];
  const rank = (k: string): number => {
    const seg = k.split('\\')[2];
    const i = seg === undefined ? -1 : CHILD_ORDER.indexOf(seg);
    return seg === undefined ? -1 : i < 0 ? 99 : i;
  };
  return layerKeys.map((key) => {
    const mine = keys.filter((k) => k === `layers\\${key}` || k.startsWith(`layers\\${key}\\`));
    mine.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b, 'en', { numeric: true }));
    const weights: Weight[] = [];
    for (const k of mine) {
      const g = member(mod, f, k);
      if (isGroup(mod, g)) weights.push(...collectVars(mod, g, k.replace(/\\/g, '/'), withData));
    }
    return { key, weights };
  });
}

/** Maps weight-store entries to the config's layers (class + order), attaching their weights. */
export function matchStoreToGraph(store: WeightStore, graph: Graph, attach: (l: Layer, w: Weight[]) => void): void {
  const used = new Map<string, number>();
  const byKey = new Map(store.map((e) => [e.key, e]));
  const expected = new Set<string>();
  for (const layer of graph.layers) {
    const base = toSnakeCase(layer.className);
    const n = used.get(base);
    const key = n === undefined ? base : `${base}_${n + 1}`;
    used.set(base, n === undefined ? 0 : n + 1);
    expected.add(key);
    // Layers without state may have no group: they keep no weights.
    const entry = byKey.get(key);
    if (entry) attach(layer, entry.weights);
  }
  const orphans = store.filter((e) => e.weights.length && !expected.has(e.key));
  if (orphans.length) {
    throw new InspectorError('', `the weight store holds ${orphans.map((o) => `layers/${o.key}`).join(', ')}, which match no layer of the model config`);
  }
}

export interface KerasZip {
  config: any;
  metadata: any;
  /**
   * A path h5wasm can open for model.weights.h5: the stored entry read in place inside the archive
   * (a virtual path, h5region.ts), or, for an archive that deflated it, a private temporary file it
   * was inflated to chunk by chunk. Call cleanup() afterwards.
   */
  weightsFile?: string;
  /** Entry names never used (absolute or with ".."), for a note. */
  unsafe: string[];
  cleanup(): void;
}

/**
 * A deflated model.weights.h5 up to this size is inflated in memory (no temporary file); a larger
 * one is inflated to a private temporary folder, removed on every path.
 */
export const MAX_INFLATE_IN_MEMORY = 512 * 1024 * 1024;

/** The entries of a .keras archive that are read. */
const KERAS_ENTRIES = ['config.json', 'metadata.json', 'model.weights.h5'];

/**
 * Reads a .keras archive: its central directory, config.json and metadata.json, and where
 * model.weights.h5 lies; none of the weights' bytes are read here.
 */
export function readKerasZip(file: string): KerasZip {
  let z: ZipArchive;
  try {
    z = openZip(file);
  } catch (e) {
    throw new InspectorError('', `not a readable .keras archive: ${e instanceof Error ? e.message : String(e)}`);
  }
  const cleanups: (() => void)[] = [() => closeZip(z)];
  const cleanup = (): void => {
    for (const c of cleanups.splice(0).reverse()) c();
  };
  try {
    const twice = z.duplicates.filter((d) => KERAS_ENTRIES.includes(d));
    if (twice.length) throw new InspectorError('', `the archive holds ${[...new Set(twice)].join(', ')} more than once: which copy is the model is ambiguous, refused`);
    const text = (name: string): any => {
      const b = readEntry(z, name);
      if (!b) return undefined;
      try {
        return JSON.parse(new TextDecoder().decode(b));
      } catch {
        throw new InspectorError('', `${name} inside the archive is not valid JSON`);
      }
    };
    const config = text('config.json');
    if (config === null || (config !== undefined && typeof config !== 'object')) throw new InspectorError('', `config.json inside the archive is not a Keras model config (it holds ${JSON.stringify(config).slice(0, 40)})`);
    if (!config) throw new InspectorError('', 'a zip archive without config.json: not a Keras 3 .keras file');
    const metadata = text('metadata.json') ?? {};
    let weightsFile: string | undefined;
    if (z.entries.has('model.weights.h5')) {
      // The archive by its resolved path: h5wasm's file system follows a symlink, and the region's
      // size and offset must apply to the file it reads.
      const realFile = fs.realpathSync(file);
      const region = entryRegion(z, 'model.weights.h5');
      if (region) {
        const r = registerRegion({ file: realFile, ...region }, 'model.weights.h5');
        cleanups.push(r.release);
        weightsFile = r.path;
      } else if ((z.entries.get('model.weights.h5')?.size ?? 0) <= MAX_INFLATE_IN_MEMORY) {
        // Inflated in memory and read from there: nothing written, nothing left behind even when
        // the open is cancelled (its worker terminated).
        const bytes = readEntry(z, 'model.weights.h5', MAX_INFLATE_IN_MEMORY)!;
        const r = registerRegion({ file: realFile, offset: 0, size: bytes.length, bytes }, 'model.weights.h5');
        cleanups.push(r.release);
        weightsFile = r.path;
      } else {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-inspector-'));
        cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
        weightsFile = path.join(dir, 'model.weights.h5');
        inflateEntryTo(z, 'model.weights.h5', weightsFile);
      }
    }
    return { config, metadata, weightsFile, cleanup, unsafe: z.unsafe };
  } catch (e) {
    cleanup();
    // zip.ts throws without a file name; say which file.
    if (e instanceof InspectorError && !e.file) throw new InspectorError('', e.problem, e.detail);
    throw e;
  }
}
