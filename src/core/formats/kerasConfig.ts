/**
 * Keras model configs (Keras 1, 2 and 3; Sequential and Functional) → the normalized layer graph.
 * Weights are attached afterwards by the container readers.
 */
import { InspectorError, type Layer, type Shape, type TensorRef } from '../model';
import { getSpec } from '../layers/registry';
import { INPUT_LAYER, isInputLayer } from '../layers/core';

export interface Graph {
  name: string;
  className: string;
  layers: Layer[];
  inputs: TensorRef[];
  outputs: TensorRef[];
}

type Json = Record<string, any>;

/** Class name without a module prefix ("keras.layers.LSTM" → "LSTM"). */
export function plainClassName(entry: Json): string {
  const c = String(entry.class_name ?? entry.className ?? '');
  return c.includes('>') ? c.split('>').pop()! : c.split('.').pop()!;
}

/**
 * Keras 1 configs used other key names. Normalize them to the Keras 2/3 names the rest of the core
 * understands, keeping everything else as stored.
 */
export function normalizeLayerConfig(className: string, config: Json): Json {
  const c: Json = { ...config };
  const spec = getSpec(className);
  const keras1 = 'output_dim' in c && !spec?.keras1?.keepsOutputDim;
  if (keras1 && !('units' in c)) c.units = c.output_dim;
  if ('inner_activation' in c && !('recurrent_activation' in c)) c.recurrent_activation = c.inner_activation;
  for (const [old, now] of Object.entries(spec?.keras1?.rename ?? {})) if (old in c && !(now in c)) c[now] = c[old];
  if (typeof c.bias === 'boolean' && !('use_bias' in c)) c.use_bias = c.bias;
  if (!c.batch_input_shape && !c.batch_shape && (c.input_dim != null || c.input_length != null)) {
    // Keras 1's input_dim / input_length on a model's first layer.
    if (spec?.input === 'sequence') c.batch_input_shape = [null, c.input_length ?? null, c.input_dim ?? null];
    else if (spec?.input === 'tokens' && c.input_length != null) c.batch_input_shape = [null, c.input_length];
    else if (spec?.input === 'vector' && keras1 && c.input_dim != null) c.batch_input_shape = [null, c.input_dim];
  }
  return c;
}

/** Builds one layer (and the inner layers of wrappers) from a config entry. */
export function layerFromEntry(entry: Json): Layer {
  const className = plainClassName(entry);
  if (!className) throw new InspectorError('', 'a layer in the model config has no class_name');
  const config = normalizeLayerConfig(className, (entry.config ?? {}) as Json);
  const name = String(config.name ?? entry.name ?? className.toLowerCase());
  config.name = name;
  const layer: Layer = { name, className, config, weights: [], inbound: [] };
  const inner = getSpec(className)?.innerFromConfig?.(config, (e) => layerFromEntry(e));
  if (inner) layer.inner = inner;
  return layer;
}

/** The batch shape an input-bearing config records, in any Keras version. */
export function recordedBatchShape(config: Json): Shape | undefined {
  const s = config.batch_shape ?? config.batch_input_shape;
  if (Array.isArray(s)) return s.map((d: unknown) => (typeof d === 'number' ? d : null));
  return undefined;
}

function inputLayer(name: string, batchShape: Shape | undefined, implicit: boolean, dtype?: string): Layer {
  return {
    name,
    className: INPUT_LAYER,
    config: { name, batch_shape: batchShape ?? null, dtype: dtype ?? 'float32' },
    weights: [],
    inbound: [[]],
    implicit,
  };
}

function sequentialGraph(cfg: Json, layersJson: Json[], name: string): Graph {
  const layers: Layer[] = [];
  let input: Layer | undefined;
  const buildShape = recordedBatchShape({ batch_shape: cfg.build_input_shape ?? cfg.build_config?.input_shape });
  for (const entry of layersJson) {
    const layer = layerFromEntry(entry);
    if (isInputLayer(layer)) {
      if (!input) {
        input = inputLayer(layer.name, recordedBatchShape(layer.config) ?? buildShape, true, layer.config.dtype);
        layers.push(input);
      }
      continue;
    }
    if (!input) {
      const shape = recordedBatchShape(layer.config) ?? buildShape ?? (entry.build_config?.input_shape as Shape | undefined);
      input = inputLayer(`${layer.name}_input`, shape, true, layer.config.dtype);
      layers.push(input);
    }
    const prev = layers[layers.length - 1];
    layer.inbound = [[{ layer: prev.name, node: 0, tensor: 0 }]];
    layers.push(layer);
  }
  if (!input) throw new InspectorError('', 'the Sequential model config has no layers');
  const last = layers[layers.length - 1];
  return { name, className: 'Sequential', layers, inputs: [{ layer: input.name, node: 0, tensor: 0 }], outputs: [{ layer: last.name, node: 0, tensor: 0 }] };
}

/** Collects keras_history references from Keras 3 node args (nested lists / dicts). */
function collectKerasTensors(v: unknown, out: TensorRef[]): void {
  if (Array.isArray(v)) {
    for (const x of v) collectKerasTensors(x, out);
  } else if (v && typeof v === 'object') {
    const o = v as Json;
    if (o.class_name === '__keras_tensor__' && Array.isArray(o.config?.keras_history)) {
      const [layer, node, tensor] = o.config.keras_history;
      out.push({ layer: String(layer), node: Number(node), tensor: Number(tensor) });
    } else if (!('class_name' in o)) {
      for (const x of Object.values(o)) collectKerasTensors(x, out);
    }
  }
}

/**
 * Inbound nodes → the tensors each call consumed. Keras 3 keeps call arguments apart: `args` hold
 * the inputs; of the keyword arguments, `initial_state` tensors follow the inputs (as Keras 2's
 * legacy nodes list them, and as model.summary()'s "Connected to" shows them: keyword arguments in
 * sorted key order). A keyword argument other than initial_state that holds a tensor (`mask=`,
 * `constants=`…) is listed too, and recorded in `problems`: the forward pass refuses that call.
 */
function parseInbound(nodes: unknown, problems: string[]): TensorRef[][] {
  if (!Array.isArray(nodes)) return [];
  return nodes.map((node) => {
    const refs: TensorRef[] = [];
    if (Array.isArray(node)) {
      // Keras 2: [[name, node_index, tensor_index, kwargs], …]
      for (const r of node) if (Array.isArray(r) && typeof r[0] === 'string') refs.push({ layer: r[0], node: Number(r[1] ?? 0), tensor: Number(r[2] ?? 0) });
    } else if (node && typeof node === 'object') {
      // Keras 3: {args: […keras tensors…], kwargs: {…}}
      collectKerasTensors((node as Json).args, refs);
      const kwargs = ((node as Json).kwargs ?? {}) as Json;
      for (const key of Object.keys(kwargs).sort()) {
        const found: TensorRef[] = [];
        collectKerasTensors(kwargs[key], found);
        if (!found.length) continue;
        refs.push(...found);
        if (key !== 'initial_state' && !problems.includes(key)) problems.push(key);
      }
    }
    return refs;
  });
}

/** input_layers / output_layers: [[name, node, tensor], …] or, for a single tensor in Keras 3, [name, node, tensor]. */
function parseEndpoints(v: unknown): TensorRef[] {
  if (!Array.isArray(v)) return [];
  if (typeof v[0] === 'string') return [{ layer: v[0], node: Number(v[1] ?? 0), tensor: Number(v[2] ?? 0) }];
  const out: TensorRef[] = [];
  for (const x of v) out.push(...parseEndpoints(x));
  return out;
}

function functionalGraph(cfg: Json, className: string): Graph {
  const layersJson: Json[] = Array.isArray(cfg.layers) ? cfg.layers : [];
  const layers = layersJson.map((entry) => {
    const layer = layerFromEntry(entry);
    if (entry.name && layer.name !== entry.name) {
      layer.name = String(entry.name);
      layer.config.name = layer.name;
    }
    const problems: string[] = [];
    layer.inbound = isInputLayer(layer) ? [[]] : parseInbound(entry.inbound_nodes, problems);
    if (problems.length) layer.tensorKwargs = problems;
    if (isInputLayer(layer)) layer.config.batch_shape = recordedBatchShape(layer.config) ?? null;
    return layer;
  });
  const inputs = parseEndpoints(cfg.input_layers);
  const outputs = parseEndpoints(cfg.output_layers);
  if (!inputs.length || !outputs.length) throw new InspectorError('', 'the functional model config names no inputs or outputs');
  return { name: String(cfg.name ?? 'model'), className, layers, inputs, outputs };
}

/**
 * model_config (the object with class_name + config, as stored in .h5 attributes, .keras
 * config.json, TF.js modelTopology, or model.to_json()) → graph.
 */
export function graphFromModelConfig(modelConfig: Json): Graph {
  const className = plainClassName(modelConfig);
  const cfg = modelConfig.config;
  if (className === 'Sequential') {
    const layersJson = Array.isArray(cfg) ? cfg : cfg?.layers;
    if (!Array.isArray(layersJson)) throw new InspectorError('', 'the Sequential model config has no layer list');
    const g = sequentialGraph(Array.isArray(cfg) ? {} : { ...cfg, build_config: modelConfig.build_config ?? cfg.build_config }, layersJson, String((Array.isArray(cfg) ? undefined : cfg?.name) ?? 'sequential'));
    return g;
  }
  if (cfg && Array.isArray(cfg.layers) && ('input_layers' in cfg || 'output_layers' in cfg)) {
    return functionalGraph(cfg, className || 'Functional');
  }
  if (cfg && typeof cfg === 'object' && !Array.isArray(cfg) && className) {
    // A single layer saved on its own: treat it as a one-layer model.
    const layer = layerFromEntry(modelConfig);
    const input = inputLayer(`${layer.name}_input`, recordedBatchShape(layer.config), true);
    layer.inbound = [[{ layer: input.name, node: 0, tensor: 0 }]];
    return { name: layer.name, className: 'Sequential', layers: [input, layer], inputs: [{ layer: input.name, node: 0, tensor: 0 }], outputs: [{ layer: layer.name, node: 0, tensor: 0 }] };
  }
  throw new InspectorError('', `unsupported model config (class ${className || 'unknown'})`);
}
