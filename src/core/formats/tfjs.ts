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

interface ManifestEntry {
  name: string;
  shape: number[];
  dtype?: string;
  quantization?: unknown;
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
  const groups: { paths: string[]; weights: ManifestEntry[] }[] = json.weightsManifest ?? [];
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
  for (const g of groups) {
    const total = g.weights.reduce((a, w) => a + bytesPerElement(w.dtype ?? 'float32') * w.shape.reduce((x, y) => x * y, 1), 0);
    let buf: Buffer | undefined;
    if (withData) {
      const parts = g.paths.map((p) => {
        const shard = path.resolve(dir, p);
        if (!fs.existsSync(shard)) throw new InspectorError('', `weight shard ${p} listed in the manifest is missing`);
        return fs.readFileSync(shard);
      });
      buf = Buffer.concat(parts);
      if (buf.length < total) throw new InspectorError('', `weight shards hold ${buf.length} bytes but the manifest needs ${total}`);
    }
    let off = 0;
    for (const m of g.weights) {
      if (m.quantization) throw new InspectorError('', `quantized TF.js weights (${m.name}) are not supported`);
      const dtype = m.dtype ?? 'float32';
      const count = m.shape.reduce((x, y) => x * y, 1);
      let data: Float32Array | Float64Array | undefined;
      if (buf) {
        const dv = new DataView(buf.buffer, buf.byteOffset + off, count * bytesPerElement(dtype));
        if (dtype === 'float32') {
          data = new Float32Array(count);
          for (let i = 0; i < count; i++) data[i] = dv.getFloat32(4 * i, true);
        } else if (dtype === 'int32') {
          data = new Float64Array(count);
          for (let i = 0; i < count; i++) data[i] = dv.getInt32(4 * i, true);
        } else {
          throw new InspectorError('', `TF.js weight dtype ${dtype} (${m.name}) is not supported`);
        }
      }
      off += count * bytesPerElement(dtype);
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
