/**
 * Keras's own containers → Model: HDF5 files (model.save .h5, save_weights .h5 of Keras 1/2,
 * Keras 3 .weights.h5) and .keras archives; a weights-only file takes its architecture from
 * --config, a model.to_json() beside it, or a topology inferred from the weight shapes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InspectorError, type FormatId, type Model } from '../model';
import { GUESS, classFromStoreKey } from '../layers/registry';
import { attachByName, inFile, makeModel, readJson, versionLabel } from './common';
import { inferGraph, type StoredLayer } from './infer';
import { classifyJson } from './jsonWeights';
import { graphFromModelConfig, type Graph } from './kerasConfig';
import { readKerasH5, type H5Contents } from './kerasH5';
import { matchStoreToGraph, readKerasZip } from './kerasV3';
import { attachWeights } from './weights';
import { readRegularFile } from '../files';
import type { OpenOptions } from './common';

/** Layer names of a Keras model config, for matching a weights-only file with its architecture JSON. */
function configLayerNames(cfg: any): string[] {
  try {
    return graphFromModelConfig(cfg).layers.filter((l) => !l.implicit).map((l) => l.name);
  } catch {
    return [];
  }
}

/**
 * A weights-only file's architecture often sits beside it as model.to_json() output. Look at the
 * JSON files in the same folder (by structure: a Keras config whose layer names cover the stored ones).
 */
function findSiblingConfig(file: string, storedNames: string[]): { cfg: any; path: string } | undefined {
  const dir = path.dirname(file);
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return undefined;
  }
  const wanted = storedNames.filter(Boolean);
  if (!wanted.length) return undefined;
  for (const n of names) {
    const p = path.join(dir, n);
    try {
      const st = fs.statSync(p);
      if (!st.isFile() || st.size > 4_000_000 || st.size < 2) continue;
      const text = readRegularFile(p, { limit: 4_000_000 }).toString('utf8');
      if (text[0] !== '{') continue;
      const cfg = JSON.parse(text);
      if (classifyJson(cfg) !== 'keras-json-config') continue;
      const have = new Set(configLayerNames(cfg));
      if (wanted.every((w) => have.has(w))) return { cfg, path: p };
    } catch {
      /* not a candidate */
    }
  }
  return undefined;
}

export async function openHdf5(file: string, opts: OpenOptions, bytes: number): Promise<Model> {
  const withData = opts.weights !== false;
  const c: H5Contents = await readKerasH5(file, withData);
  const notes: string[] = [];
  const source = { path: file, bytes };
  if (c.kind === 'store') {
    return modelFromStore(c, undefined, source, notes, 'keras-v3-weights', `${versionLabel(c.kerasVersion)} weights (.weights.h5)`, opts);
  }
  const stored = c.stored ?? [];
  let graph = c.graph;
  if (!graph) {
    const explicit = opts.configPath ? { cfg: inFile(opts.configPath, () => readJson(opts.configPath!)), path: opts.configPath } : undefined;
    const sibling = explicit ?? findSiblingConfig(file, stored.filter((s) => s.weights.length).map((s) => s.name));
    if (sibling) {
      graph = inFile(sibling.path, () => graphFromModelConfig(sibling.cfg));
      notes.push(`architecture read from ${path.basename(sibling.path)} (model.to_json() beside the weights file)`);
    }
  }
  if (graph) attachByName(graph, stored);
  else graph = inferGraph(stored, notes);
  const id: FormatId = c.kind === 'full' ? 'keras-h5' : 'keras-h5-weights';
  const v = c.kerasVersion;
  const label =
    c.kind === 'full'
      ? v?.startsWith('3')
        ? `Keras ${v} legacy HDF5 (model.save .h5)`
        : `${v?.includes('-tf') || (v && /^2\.([5-9]|1\d)/.test(v)) ? 'tf.keras' : 'Keras'} ${v ?? ''} HDF5 (model.save)`.replace('  ', ' ')
      : `${v ? `Keras ${v}` : 'Keras 1.x'} weights only (save_weights .h5)`;
  if (c.optimizerState) notes.push('optimizer state present in the file (ignored)');
  return makeModel(graph, { format: { id, label }, kerasVersion: v, backend: c.backend, notes, source, hasWeights: stored.some((s) => s.weights.length > 0) });
}

function modelFromStore(c: H5Contents, configFromZip: any, source: Model['source'], notes: string[], id: FormatId, label: string, opts: OpenOptions): Model {
  const store = c.store ?? [];
  let graph: Graph | undefined = configFromZip ? graphFromModelConfig(configFromZip) : c.graph;
  if (!graph && opts.configPath) graph = inFile(opts.configPath, () => graphFromModelConfig(readJson(opts.configPath!) as Record<string, any>));
  if (graph) {
    matchStoreToGraph(store, graph, attachWeights);
  } else {
    graph = inferGraph(orderStore(store, notes), notes);
  }
  if (c.optimizerState) notes.push('optimizer state present in the file (ignored)');
  return makeModel(graph, { format: { id, label }, kerasVersion: c.kerasVersion, backend: c.backend, notes, source, hasWeights: store.some((e) => e.weights.length > 0) });
}

/**
 * Without a config, the weight store's keys (alphabetical in HDF5) lose the layer order across
 * classes. Order them by stage (embedding / conv → recurrent → heads) and by counter within a class.
 * A weightless RepeatVector goes after the first recurrent layer: the usual encoder–decoder (one
 * encoder, RepeatVector, decoder stack), as in the corpus's GRU model whose notebook we checked.
 */
function orderStore(store: H5Contents['store'] & object, notes: string[]): StoredLayer[] {
  const stage = (key: string) => (/^(embedding|masking|conv|max_pooling|average_pooling)/.test(key) ? 0 : /^(time_distributed|dense|flatten|global_)/.test(key) ? 2 : 1);
  const base = (key: string) => key.replace(/_\d+$/, '');
  const counter = (key: string) => (/_(\d+)$/.test(key) ? Number(/_(\d+)$/.exec(key)![1]) : -1);
  // InputLayers have (empty) groups in Keras 3 Functional stores; the rebuilt graph makes its own.
  const entries = store.filter((e) => base(e.key) !== 'input_layer').sort((a, b) => stage(a.key) - stage(b.key) || (base(a.key) === base(b.key) ? counter(a.key) - counter(b.key) : 0));
  const repeat = entries.filter((e) => base(e.key) === 'repeat_vector');
  let ordered = entries.filter((e) => base(e.key) !== 'repeat_vector');
  const rec = ordered.filter((e) => stage(e.key) === 1);
  if (repeat.length === 1 && rec.length >= 2) {
    const at = ordered.indexOf(rec[0]) + 1;
    ordered = [...ordered.slice(0, at), repeat[0], ...ordered.slice(at)];
    notes.push(`layer order guessed (the file does not record it): RepeatVector after the first of ${rec.length} recurrent layers (encoder–decoder); give the architecture with --config to be exact`);
  } else {
    ordered.push(...repeat);
  }
  return ordered.map((e) => ({ name: e.name ?? e.key, classHint: classOfKey(e.key), weights: e.weights }));
}

function classOfKey(key: string): string | undefined {
  return classFromStoreKey(key.replace(/_\d+$/, ''));
}

export async function openZip(file: string, opts: OpenOptions, bytes: number): Promise<Model> {
  const z = readKerasZip(file);
  try {
    const notes: string[] = [];
    if (z.unsafe.length) notes.push(`ignored ${z.unsafe.length} archive entr${z.unsafe.length === 1 ? 'y' : 'ies'} with a name outside the archive (absolute or with ".."): ${z.unsafe.slice(0, 3).map((u) => JSON.stringify(u)).join(', ')}; nothing is ever extracted`);
    const kv: unknown = z.metadata && typeof z.metadata === 'object' ? z.metadata.keras_version : undefined;
    const v: string | undefined = typeof kv === 'string' ? kv.slice(0, 64) : undefined;
    let c: H5Contents = { kind: 'store', store: [], optimizerState: false, kerasVersion: v };
    if (z.weightsFile) {
      const inner = await readKerasH5(z.weightsFile, opts.weights !== false).catch((e: unknown) => {
        // Say which part of the archive: openModel adds the archive's name.
        throw e instanceof InspectorError && !e.file ? new InspectorError('', `model.weights.h5 inside the archive: ${e.problem}`, e.detail) : e;
      });
      c = { ...inner, kerasVersion: v ?? inner.kerasVersion };
    } else {
      notes.push('the archive holds no model.weights.h5: shapes and parameters only');
    }
    return modelFromStore(c, z.config, { path: file, bytes }, notes, 'keras-v3-zip', `${versionLabel(v)} .keras archive`, opts);
  } finally {
    z.cleanup();
  }
}
