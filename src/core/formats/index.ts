/**
 * openModel: any supported file → the normalized Model. The format is decided by content
 * (HDF5 signature, zip signature, JSON structure), never by the file name.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InspectorError, type FormatId, type Model, type Weight } from '../model';
import { firstLine, hasHdf5Signature } from './h5';
import { inferGraph, type StoredLayer } from './infer';
import { classifyJson, groupWeightList, isLayerDict, jsonArray, jsonWeight, readLayerDict, readNotebookDump, type JsonKind } from './jsonWeights';
import { graphFromModelConfig, type Graph } from './kerasConfig';
import { readKerasH5, type H5Contents } from './kerasH5';
import { matchStoreToGraph, readKerasZip } from './kerasV3';
import { readTfjs } from './tfjs';
import { attachWeights } from './weights';
import { GUESS, classFromStoreKey } from '../layers/registry';
import { isInputLayer } from '../layers/core';

export interface OpenOptions {
  /** Load weight values (default true). false reads shapes and metadata only. */
  weights?: boolean;
  /** Name shown in messages (default: the path as given). */
  displayName?: string;
  /** A Keras architecture JSON to pair with a weights-only file (otherwise sibling JSON files are searched by structure). */
  configPath?: string;
}

type Detected = 'hdf5' | 'zip' | 'json' | 'npy' | 'directory' | 'unknown';

function sniff(file: string, display: string): { kind: Detected; bytes: number } {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    throw new InspectorError(display, 'file not found');
  }
  if (st.isDirectory()) return { kind: 'directory', bytes: 0 };
  if (st.size === 0) throw new InspectorError(display, 'the file is empty');
  const fd = fs.openSync(file, 'r');
  const head = Buffer.alloc(Math.min(1024, st.size));
  try {
    fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (hasHdf5Signature(file)) return { kind: 'hdf5', bytes: st.size };
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return { kind: 'zip', bytes: st.size };
  if (head[0] === 0x93 && head.subarray(1, 6).toString('latin1') === 'NUMPY') return { kind: 'npy', bytes: st.size };
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('{') || text.startsWith('[')) return { kind: 'json', bytes: st.size };
  // A truncated HDF5 file still starts with the signature; anything else is not ours.
  return { kind: 'unknown', bytes: st.size };
}

/** A cheap look at what a file is, for UIs that choose how to open it. */
export function detectFormat(file: string): FormatId | 'hdf5' | 'npy' | 'unknown' {
  try {
    const { kind } = sniff(file, file);
    if (kind === 'zip') return 'keras-v3-zip';
    if (kind === 'hdf5') return 'hdf5';
    if (kind === 'npy') return 'npy';
    if (kind === 'directory') return fs.existsSync(path.join(file, 'model.json')) ? 'tfjs-layers' : 'unknown';
    if (kind === 'json') {
      const k = classifyJson(JSON.parse(fs.readFileSync(file, 'utf8')));
      return k ?? 'unknown';
    }
  } catch {
    /* unreadable: unknown */
  }
  return 'unknown';
}

function readJson(file: string, display: string): unknown {
  const text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new InspectorError(display, `invalid JSON: ${msg}`);
  }
}

function versionLabel(v: string | undefined): string {
  return v ? `Keras ${v}` : 'Keras';
}

function makeModel(graph: Graph, parts: Omit<Model, 'name' | 'className' | 'layers' | 'inputs' | 'outputs'>): Model {
  return { name: graph.name, className: graph.className, layers: graph.layers, inputs: graph.inputs, outputs: graph.outputs, ...parts };
}

/** Attaches legacy stored layers (by layer name) to a graph from a config. */
function attachByName(graph: Graph, stored: StoredLayer[], display: string): void {
  for (const s of stored) {
    const layer = graph.layers.find((l) => l.name === s.name);
    if (!layer) {
      if (s.weights.length) throw new InspectorError(display, `the file stores weights for layer "${s.name}", which the model config does not have`);
      continue;
    }
    attachWeights(layer, s.weights);
  }
}

/** Layer names of a Keras model config, for matching a weights-only file with its architecture JSON. */
function configLayerNames(cfg: any): string[] {
  try {
    return graphFromModelConfig(cfg, '').layers.filter((l) => !l.implicit).map((l) => l.name);
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
      const fd = fs.openSync(p, 'r');
      const b = Buffer.alloc(1);
      fs.readSync(fd, b, 0, 1, 0);
      fs.closeSync(fd);
      if (b[0] !== 0x7b) continue; // '{'
      const cfg = JSON.parse(fs.readFileSync(p, 'utf8'));
      if (classifyJson(cfg) !== 'keras-json-config') continue;
      const have = new Set(configLayerNames(cfg));
      if (wanted.every((w) => have.has(w))) return { cfg, path: p };
    } catch {
      /* not a candidate */
    }
  }
  return undefined;
}

async function openHdf5(file: string, display: string, opts: OpenOptions, bytes: number): Promise<Model> {
  const withData = opts.weights !== false;
  const c: H5Contents = await readKerasH5(file, display, withData);
  const notes: string[] = [];
  const source = { path: file, bytes };
  if (c.kind === 'store') {
    return modelFromStore(c, undefined, display, source, notes, 'keras-v3-weights', `${versionLabel(c.kerasVersion)} weights (.weights.h5)`, opts);
  }
  const stored = c.stored ?? [];
  let graph = c.graph;
  if (!graph) {
    const explicit = opts.configPath ? { cfg: readJson(opts.configPath, opts.configPath), path: opts.configPath } : undefined;
    const sibling = explicit ?? findSiblingConfig(file, stored.filter((s) => s.weights.length).map((s) => s.name));
    if (sibling) {
      graph = graphFromModelConfig(sibling.cfg, sibling.path);
      notes.push(`architecture read from ${path.basename(sibling.path)} (model.to_json() beside the weights file)`);
    }
  }
  if (graph) attachByName(graph, stored, display);
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

function modelFromStore(c: H5Contents, configFromZip: any, display: string, source: Model['source'], notes: string[], id: FormatId, label: string, opts: OpenOptions): Model {
  const store = c.store ?? [];
  let graph: Graph | undefined = configFromZip ? graphFromModelConfig(configFromZip, display) : c.graph;
  if (!graph && opts.configPath) graph = graphFromModelConfig(readJson(opts.configPath, opts.configPath) as Record<string, any>, opts.configPath);
  if (graph) {
    matchStoreToGraph(store, graph, display, attachWeights);
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

async function openZip(file: string, display: string, opts: OpenOptions, bytes: number): Promise<Model> {
  const z = readKerasZip(file, display);
  try {
    const notes: string[] = [];
    const v: string | undefined = z.metadata?.keras_version;
    let c: H5Contents = { kind: 'store', store: [], optimizerState: false, kerasVersion: v };
    if (z.weightsFile) {
      const inner = await readKerasH5(z.weightsFile, `${display} (model.weights.h5)`, opts.weights !== false);
      c = { ...inner, kerasVersion: v ?? inner.kerasVersion };
    } else {
      notes.push('the archive holds no model.weights.h5: shapes and parameters only');
    }
    return modelFromStore(c, z.config, display, { path: file, bytes }, notes, 'keras-v3-zip', `${versionLabel(v)} .keras archive`, opts);
  } finally {
    z.cleanup();
  }
}

function openJson(value: unknown, kind: JsonKind, file: string, display: string, opts: OpenOptions, bytes: number): Model {
  const notes: string[] = [];
  const source = { path: file, bytes };
  switch (kind) {
    case 'keras-json-config': {
      const cfg = value as any;
      const graph = graphFromModelConfig(cfg, display);
      notes.push('architecture only (model.to_json()): shapes and parameters, no weights, no forward pass');
      return makeModel(graph, { format: { id: 'keras-json-config', label: `${versionLabel(cfg.keras_version)} architecture JSON (model.to_json())` }, kerasVersion: cfg.keras_version, backend: cfg.backend, notes, source, hasWeights: false });
    }
    case 'json-notebook': {
      if (isLayerDict(value as Record<string, unknown>)) {
        const graph = inferGraph(readLayerDict(value as Record<string, Record<string, unknown>>, display), notes);
        return makeModel(graph, { format: { id: 'json-notebook', label: 'Layer-keyed weight dump (JSON)' }, notes, source, hasWeights: true });
      }
      const nb = readNotebookDump(value as Record<string, unknown>, display);
      const graph = inferGraph(nb.stored, notes);
      notes.splice(0, notes.length, 'topology from the notebook names: Wx (D×M), Wh (M×M), bh (M) → recurrent layer; Wo (M×K), bo (K) → Dense', 'sequence length T unknown until inputs are given');
      const rnn = graph.layers.find((l) => !isInputLayer(l) && l.className !== GUESS.dense);
      if (rnn) rnn.config.activation = nb.activation ?? 'tanh';
      if (!nb.activation) notes.push('activation taken as tanh (add "activation" to the JSON to change it)');
      const X = nb.samples.inputs?.[0];
      if (X && X.shape.length === 3) graph.layers[0].config.batch_shape = [null, X.shape[1], X.shape[2]];
      return makeModel(graph, { format: { id: 'json-notebook', label: 'Notebook weight dump (JSON: Wx, Wh, bh, Wo, bo)' }, notes, source, hasWeights: true, samples: nb.samples });
    }
    case 'json-weight-list': {
      const stored = groupWeightList(value as unknown[], display, notes);
      const graph = inferGraph(stored, notes);
      return makeModel(graph, { format: { id: 'json-weight-list', label: 'Weight list JSON (model.get_weights())' }, notes, source, hasWeights: true });
    }
    case 'tfjs-layers': {
      const t = readTfjs(value, file, display, opts.weights !== false);
      for (const layer of t.graph.layers) attachWeights(layer, t.weights.get(layer) ?? []);
      return makeModel(t.graph, { format: { id: 'tfjs-layers', label: `TensorFlow.js layers model${t.kerasVersion ? ` (${versionLabel(t.kerasVersion)})` : ''}` }, kerasVersion: t.kerasVersion, backend: t.backend, notes, source, hasWeights: true });
    }
    case 'rnn-inspector-json':
      return openProjectJson(value as Record<string, any>, file, display, notes, source);
  }
}

/** The project's own JSON format (docs/formats.md): optional model_config, weights per layer, optional samples. */
function openProjectJson(o: Record<string, any>, file: string, display: string, notes: string[], source: Model['source']): Model {
  const weights: Record<string, unknown[]> = o.weights ?? {};
  if (typeof weights !== 'object' || Array.isArray(weights)) throw new InspectorError(display, '"weights" must map layer names to lists of arrays (get_weights() order)');
  const stored: StoredLayer[] = Object.entries(weights).map(([name, list]) => {
    if (!Array.isArray(list)) throw new InspectorError(display, `weights of layer "${name}" must be a list of arrays`);
    return { name, weights: list.map((v, i): Weight => jsonWeight(v, `${name}/${i}`, display)) };
  });
  let graph: Graph;
  if (o.model_config) {
    graph = graphFromModelConfig(o.model_config, display);
    attachByName(graph, stored, display);
  } else {
    graph = inferGraph(stored, notes);
  }
  // samples.inputs / samples.expected: always a list with one array per model input / output.
  const list = (v: unknown, what: string) => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) throw new InspectorError(display, `samples.${what} must be a list with one array per model ${what === 'inputs' ? 'input' : 'output'}`);
    return v.map((x, i) => jsonArray(x, `samples.${what}[${i}]`, display));
  };
  const samples = o.samples ? { inputs: list(o.samples.inputs, 'inputs'), expected: list(o.samples.expected, 'expected') } : undefined;
  return makeModel(graph, { format: { id: 'rnn-inspector-json', label: 'RNN Inspector JSON' }, kerasVersion: o.keras_version, notes, source, hasWeights: stored.length > 0, samples });
}

/** Opens any supported model file. Errors are InspectorErrors naming the file and the problem. */
export async function openModel(file: string, opts: OpenOptions = {}): Promise<Model> {
  const display = opts.displayName ?? file;
  const { kind, bytes } = sniff(file, display);
  try {
    switch (kind) {
      case 'hdf5':
        return await openHdf5(file, display, opts, bytes);
      case 'zip':
        return await openZip(file, display, opts, bytes);
      case 'directory': {
        const mj = path.join(file, 'model.json');
        if (!fs.existsSync(mj)) throw new InspectorError(display, 'a folder without model.json (a TF.js layers model folder holds model.json and its shards)');
        return await openModel(mj, { ...opts, displayName: path.join(display, 'model.json') });
      }
      case 'json': {
        const value = readJson(file, display);
        const k = classifyJson(value);
        if (!k) {
          const keys = value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value).slice(0, 8).join(', ') : typeof value;
          throw new InspectorError(display, `JSON, but not a recognized weight format (found: ${keys}); see docs/formats.md`);
        }
        return openJson(value, k, file, display, opts, bytes);
      }
      case 'npy':
        throw new InspectorError(display, 'a NumPy array file (.npy), not a model: use it as inputs or expected predictions');
      default:
        throw new InspectorError(display, 'unsupported file: not HDF5, not a .keras zip, not JSON');
    }
  } catch (e) {
    if (e instanceof InspectorError) {
      if (!e.file) throw new InspectorError(display, e.problem);
      throw e;
    }
    throw new InspectorError(display, `cannot read (the file may be damaged): ${firstLine(e)}`);
  }
}

