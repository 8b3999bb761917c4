/**
 * TensorFlow.js layers models: model.json ({format, modelTopology, weightsManifest}) plus binary
 * shards holding the weights concatenated in manifest order (little-endian).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InspectorError, type Layer, type Weight } from '../model';
import { bytesPerElement } from '../dtypes';
import type { Graph } from './kerasConfig';
import { graphFromModelConfig } from './kerasConfig';
import { MAX_RANK, MAX_SHARDS, MAX_SHARD_BYTES, MAX_TENSOR_ELEMENTS, MAX_WEIGHT_BYTES, checkRegularFile, insideFolder, mib, readRegularFile } from '../files';

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  count: number;
  bytes: number;
}

interface ManifestGroup {
  paths: string[];
  weights: ManifestEntry[];
}

/** TF.js dtypes read (4 bytes each, little-endian). */
const TFJS_DTYPES = ['float32', 'int32'];

const show = (v: unknown): string => {
  try {
    return (JSON.stringify(v) ?? String(v)).slice(0, 80);
  } catch {
    return typeof v;
  }
};

/** The weightsManifest, every field type-checked (paths, names, dtypes, shapes and their sizes). */
function manifestGroups(manifest: unknown): ManifestGroup[] {
  if (manifest === undefined) return [];
  if (!Array.isArray(manifest)) throw new InspectorError('', `the TF.js weightsManifest is not a list (found ${show(manifest)})`);
  return manifest.map((g: unknown, gi): ManifestGroup => {
    const where = `weightsManifest group ${gi + 1}`;
    if (!g || typeof g !== 'object' || Array.isArray(g)) throw new InspectorError('', `${where} is not an object with paths and weights`);
    const { paths, weights } = g as { paths?: unknown; weights?: unknown };
    if (paths === undefined) throw new InspectorError('', `${where} has no "paths" (the list of its weight shard files)`);
    if (!Array.isArray(paths)) throw new InspectorError('', `${where}: "paths" is not a list of shard file names (found ${show(paths)})`);
    if (!Array.isArray(weights)) throw new InspectorError('', `${where}: "weights" is not a list (found ${show(weights)})`);
    for (const p of paths) if (typeof p !== 'string' || !p) throw new InspectorError('', `${where}: "paths" holds ${show(p)}, not a shard file name`);
    if (paths.length === 0 && weights.length > 0) throw new InspectorError('', `${where} lists ${weights.length} weights but no shard files ("paths" is empty)`);
    if (paths.length > MAX_SHARDS) throw new InspectorError('', `${where} lists ${paths.length} shard files (at most ${MAX_SHARDS})`);
    return { paths: paths as string[], weights: weights.map((w: unknown, wi) => manifestEntry(w, `${where}, weight ${wi + 1}`)) };
  });
}

function manifestEntry(w: unknown, where: string): ManifestEntry {
  if (!w || typeof w !== 'object' || Array.isArray(w)) throw new InspectorError('', `${where} is not an object with name, shape and dtype`);
  const { name, shape, dtype = 'float32', quantization } = w as Record<string, unknown>;
  if (typeof name !== 'string' || !name) throw new InspectorError('', `${where} has no name (found ${show(name)})`);
  const label = `manifest weight ${show(name)}`;
  if (quantization !== undefined && quantization !== null) throw new InspectorError('', `quantized TF.js weights (${show(name)}) are not supported`);
  if (typeof dtype !== 'string' || !TFJS_DTYPES.includes(dtype)) throw new InspectorError('', `TF.js weight dtype ${show(dtype)} (${show(name)}) is not supported (float32 and int32 are)`);
  if (!Array.isArray(shape)) throw new InspectorError('', `${label}: its shape ${show(shape)} is not a list of dimensions`);
  if (shape.length > MAX_RANK) throw new InspectorError('', `${label}: its shape has ${shape.length} dimensions (at most ${MAX_RANK})`);
  let count = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) throw new InspectorError('', `${label}: its shape ${show(shape)} holds ${show(d)}, not a whole number of at least 1`);
    if (d === 0) throw new InspectorError('', `${label}: its shape ${show(shape)} has a zero dimension (an empty weight)`);
    count *= d;
    if (count > MAX_TENSOR_ELEMENTS) throw new InspectorError('', `${label}: its shape ${show(shape)} declares more than ${MAX_TENSOR_ELEMENTS.toLocaleString('en-US')} values`);
  }
  return { name, shape: shape as number[], dtype: dtype as ManifestEntry['dtype'], count, bytes: count * bytesPerElement(dtype) };
}

/** Checks a shard path's syntax only (summary: nothing is opened). */
function insideFolderSyntax(p: string): void {
  if (path.isAbsolute(p) || path.win32.isAbsolute(p) || p.split(/[\\/]+/).includes('..')) insideFolder('.', p, 'weight shard');
}

/**
 * A group's shards, concatenated: each inside the model's folder, a regular file, listed once;
 * their sizes are checked against the manifest before anything is read.
 */
function readShards(dir: string, paths: string[], total: number, seen: Map<string, string>): Buffer {
  const files = paths.map((p) => {
    const real = insideFolder(dir, p, 'weight shard');
    const before = seen.get(real);
    if (before !== undefined) throw new InspectorError('', `weight shard ${show(p)} is listed more than once in the manifest${before !== p ? ` (also as ${show(before)})` : ''}`);
    seen.set(real, p);
    const st = checkRegularFile(real, { what: `weight shard ${show(p)}`, limit: MAX_SHARD_BYTES, limitName: 'one weight shard' });
    return { p, real, size: st.size };
  });
  const have = files.reduce((a, f) => a + f.size, 0);
  if (have < total) throw new InspectorError('', `weight shards hold ${have} bytes but the manifest needs ${total}: a shard is truncated or the manifest lies`);
  if (have > total) throw new InspectorError('', `weight shards hold ${have} bytes but the manifest declares ${total}: the shards are not the ones the manifest describes`);
  const buf = Buffer.alloc(total);
  let at = 0;
  for (const f of files) {
    const b = readRegularFile(f.real, { what: `weight shard ${show(f.p)}`, limit: f.size, limitName: 'this shard (it changed while being read)' });
    b.copy(buf, at);
    at += b.length;
  }
  if (at !== total) throw new InspectorError('', `weight shards changed while being read`);
  return buf;
}

export interface TfjsModel {
  graph: Graph;
  kerasVersion?: string;
  backend?: string;
  /** Weights grouped by the layer they belong to (manifest order within each). */
  weights: Map<Layer, Weight[]>;
  generatedBy?: string;
}

export function readTfjs(json: any, file: string, withData: boolean): TfjsModel {
  const topo = json.modelTopology ?? {};
  const modelConfig = topo.model_config ?? (topo.class_name ? topo : undefined);
  if (!modelConfig) throw new InspectorError('', 'TF.js model.json without a Keras modelTopology (a graph model, not a layers model)');
  const graph = graphFromModelConfig(modelConfig);
  const groups = manifestGroups(json.weightsManifest);
  const dir = path.dirname(file);
  const weights = new Map<Layer, Weight[]>();
  const owner = (name: string): { layer: Layer; order: number } | undefined => {
    const parts = name.split('/');
    for (const layer of graph.layers) {
      if (parts[0] === layer.name) {
        const innerIdx = layer.inner?.findIndex((l) => parts[1] === l.name) ?? -1;
        return { layer, order: innerIdx < 0 ? 0 : innerIdx };
      }
      const innerIdx = layer.inner?.findIndex((l) => parts[0] === l.name) ?? -1;
      if (innerIdx >= 0) return { layer, order: innerIdx };
    }
    return undefined;
  };
  const pending = new Map<Layer, { w: Weight; order: number; seq: number }[]>();
  let seq = 0;
  let declaredTotal = 0;
  for (const g of groups) declaredTotal += g.weights.reduce((a, w) => a + w.bytes, 0);
  if (declaredTotal > MAX_WEIGHT_BYTES) {
    throw new InspectorError('', `the weights manifest declares ${mib(declaredTotal)} of weights, more than the ${mib(MAX_WEIGHT_BYTES)} RNN Inspector loads`);
  }
  const seen = new Map<string, string>();
  for (const g of groups) {
    const total = g.weights.reduce((a, w) => a + w.bytes, 0);
    let buf: Buffer | undefined;
    if (withData) buf = readShards(dir, g.paths, total, seen);
    else for (const p of g.paths) insideFolderSyntax(p);
    let off = 0;
    for (const m of g.weights) {
      const { dtype, count } = m;
      let data: Float32Array | Float64Array | undefined;
      if (buf) {
        const dv = new DataView(buf.buffer, buf.byteOffset + off, m.bytes);
        if (dtype === 'float32') {
          data = new Float32Array(count);
          for (let i = 0; i < count; i++) data[i] = dv.getFloat32(4 * i, true);
        } else {
          data = new Float64Array(count);
          for (let i = 0; i < count; i++) data[i] = dv.getInt32(4 * i, true);
        }
      }
      off += m.bytes;
      const o = owner(m.name);
      if (!o) throw new InspectorError('', `manifest weight ${m.name} matches no layer of the model`);
      const list = pending.get(o.layer) ?? [];
      list.push({ w: { name: m.name, role: '', shape: m.shape, dtype, trainable: true, data }, order: o.order, seq: seq++ });
      pending.set(o.layer, list);
    }
  }
  for (const [layer, list] of pending) {
    list.sort((a, b) => a.order - b.order || a.seq - b.seq);
    weights.set(layer, list.map((x) => x.w));
  }
  return { graph, kerasVersion: topo.keras_version, backend: topo.backend, weights, generatedBy: json.generatedBy };
}
