/**
 * Keras model configs (Keras 1, 2 and 3; Sequential and Functional) → the normalized layer graph.
 * Weights are attached afterwards by the container readers.
 */
import { InspectorError, type Layer, type Shape, type TensorRef } from '../model';
import { getSpec } from '../layers/registry';
import { INPUT_LAYER, isInputLayer } from '../layers/core';
import { checkDepth, checkLayerConfig, intValue, isObject, isPrototypeName, MAX_CALLS, MAX_LAYERS, MAX_UNITS, MAX_WRAPPER_DEPTH, show } from './configSchema';
import { checkGraph } from './graphCheck';

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
  const raw = entry.class_name ?? entry.className ?? '';
  if (typeof raw !== 'string') throw new InspectorError('', `a class_name in the model config is ${show(raw)}, not a string`);
  const c = raw.includes('>') ? raw.split('>').pop()! : raw.split('.').pop()!;
  if (c && isPrototypeName(c)) throw new InspectorError('', `a layer in the model config has the class_name ${show(raw)}, which is not a Keras class`);
  return c;
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

/** Counts the layers built for one model config (wrapped layers included), against MAX_LAYERS. */
interface Budget {
  layers: number;
}

/** Builds one layer (and the inner layers of wrappers) from a config entry; each entry is read once. */
export function layerFromEntry(entry: unknown, depth = 0, budget: Budget = { layers: 0 }): Layer {
  if (!isObject(entry)) throw new InspectorError('', `a layer in the model config is ${show(entry)}, not a layer (an object with class_name and config)`);
  if (entry.class_name === undefined && entry.className === undefined) throw new InspectorError('', 'a layer in the model config has no class_name');
  const className = plainClassName(entry);
  if (!className) throw new InspectorError('', 'a layer in the model config has no class_name');
  if (++budget.layers > MAX_LAYERS) throw new InspectorError('', `the model config has more than ${MAX_LAYERS} layers`);
  const raw = entry.config === undefined ? {} : entry.config;
  if (!isObject(raw)) throw new InspectorError('', `layer ${describeEntry(entry, className)}: its config is ${show(raw)}, not an object`);
  const config = normalizeLayerConfig(className, raw);
  const rawName = config.name ?? entry.name ?? className.toLowerCase();
  if (typeof rawName !== 'string' || !rawName) throw new InspectorError('', `a ${className} layer in the model config has the name ${show(rawName)}, not a string`);
  const name = rawName;
  config.name = name;
  checkLayerConfig(config, `layer "${name}"`);
  const layer: Layer = { name, className, config, weights: [], inbound: [] };
  const inner = getSpec(className)?.innerFromConfig?.(config, (e) => {
    if (depth + 1 > MAX_WRAPPER_DEPTH) throw new InspectorError('', `layer "${name}": wrappers are nested more than ${MAX_WRAPPER_DEPTH} deep`);
    return layerFromEntry(e, depth + 1, budget);
  });
  if (inner) layer.inner = inner;
  return layer;
}

function describeEntry(entry: Json, className: string): string {
  const n = isObject(entry.config) ? entry.config.name : entry.name;
  return typeof n === 'string' ? `"${n}"` : `of class ${className}`;
}

/** The batch shape an input-bearing config records, in any Keras version. */
export function recordedBatchShape(config: Json): Shape | undefined {
  const s = config.batch_shape ?? config.batch_input_shape;
  if (!Array.isArray(s)) return undefined;
  return s.map((d: unknown, i: number) => (d === null || d === undefined ? null : intValue(d, `an input shape's axis ${i}`, 0, MAX_UNITS)));
}

function inputLayer(name: string, batchShape: Shape | undefined, implicit: boolean, dtype?: unknown): Layer {
  return {
    name,
    className: INPUT_LAYER,
    config: { name, batch_shape: batchShape ?? null, dtype: typeof dtype === 'string' ? dtype : 'float32' },
    weights: [],
    inbound: [[]],
    implicit,
  };
}

function sequentialGraph(cfg: Json, layersJson: unknown[], name: string): Graph {
  const layers: Layer[] = [];
  const budget: Budget = { layers: 0 };
  let input: Layer | undefined;
  const buildConfig = isObject(cfg.build_config) ? cfg.build_config : {};
  const buildShape = recordedBatchShape({ batch_shape: cfg.build_input_shape ?? buildConfig.input_shape });
  for (const entry of layersJson) {
    const layer = layerFromEntry(entry, 0, budget);
    if (isInputLayer(layer)) {
      if (!input) {
        input = inputLayer(layer.name, recordedBatchShape(layer.config) ?? buildShape, true, layer.config.dtype);
        layers.push(input);
      }
      continue;
    }
    if (!input) {
      const own = isObject((entry as Json).build_config) ? ((entry as Json).build_config as Json) : {};
      const shape = recordedBatchShape(layer.config) ?? buildShape ?? recordedBatchShape({ batch_shape: own.input_shape });
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

/** One tensor reference [layer, node, tensor] (Keras 2 inbound entry, Keras 3 keras_history, an endpoint). */
function tensorRef(v: unknown[], where: string): TensorRef {
  const [layer, node, tensor] = v;
  if (typeof layer !== 'string' || !layer) throw new InspectorError('', `${where} names the layer ${show(layer)}, not a layer name`);
  return {
    layer,
    node: node === undefined || node === null ? 0 : intValue(node, `${where}: the node index of "${layer}"`, 0, MAX_CALLS),
    tensor: tensor === undefined || tensor === null ? 0 : intValue(tensor, `${where}: the tensor index of "${layer}"`, 0, MAX_CALLS),
  };
}

/** Collects keras_history references from Keras 3 node args (nested lists / dicts; the config's depth is bounded). */
function collectKerasTensors(v: unknown, out: TensorRef[], where: string): void {
  if (Array.isArray(v)) {
    for (const x of v) collectKerasTensors(x, out, where);
  } else if (isObject(v)) {
    if (v.class_name === '__keras_tensor__') {
      const hist = isObject(v.config) ? v.config.keras_history : undefined;
      if (!Array.isArray(hist)) throw new InspectorError('', `${where}: a tensor has no keras_history (the layer that made it)`);
      out.push(tensorRef(hist, where));
    } else if (!('class_name' in v)) {
      for (const x of Object.values(v)) collectKerasTensors(x, out, where);
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
function parseInbound(nodes: unknown, name: string, problems: string[], callArgs: Json, maskRefs: number[]): TensorRef[][] {
  const where = `layer "${name}"`;
  if (nodes === undefined || nodes === null) return [];
  if (!Array.isArray(nodes)) throw new InspectorError('', `${where}: inbound_nodes is ${show(nodes)}, not a list of calls`);
  if (nodes.length > MAX_CALLS) throw new InspectorError('', `${where} is called ${nodes.length} times, more than ${MAX_CALLS}`);
  return nodes.map((node, i) => {
    const refs: TensorRef[] = [];
    if (Array.isArray(node)) {
      // Keras 2: [[name, node_index, tensor_index, kwargs], …]
      for (const r of node) {
        if (!Array.isArray(r)) throw new InspectorError('', `${where}: inbound node ${i} holds ${show(r)}, not [layer, node, tensor]`);
        refs.push(tensorRef(r, where));
        if (i === 0 && isObject(r[3])) Object.assign(callArgs, r[3]);
      }
    } else if (isObject(node)) {
      // Keras 3: {args: […keras tensors…], kwargs: {…}}
      const args = node.args;
      collectKerasTensors(args, refs, where);
      // Plain positional values (an op layer's constant: NotEqual(x, 0)), tensors as null.
      if (i === 0 && Array.isArray(args) && args.some((a) => typeof a !== 'object')) callArgs.args = args.map((a) => (typeof a === 'object' ? null : a));
      const kwargs = isObject(node.kwargs) ? node.kwargs : {};
      let masks = 0;
      for (const key of Object.keys(kwargs).sort()) {
        const found: TensorRef[] = [];
        collectKerasTensors(kwargs[key], found, where);
        if (!found.length) {
          if (i === 0) callArgs[key] = kwargs[key];
          continue;
        }
        refs.push(...found);
        // The mask Keras 3 records for a masked input (mask=…): sorted last, so the final refs.
        if (key === 'mask') masks = found.length;
        else if (key !== 'initial_state' && !problems.includes(key)) problems.push(key);
      }
      if (masks) maskRefs[i] = masks;
    } else throw new InspectorError('', `${where}: inbound node ${i} is ${show(node)}, not a call`);
    return refs;
  });
}

/** input_layers / output_layers: [[name, node, tensor], …] or, for a single tensor in Keras 3, [name, node, tensor]. */
function parseEndpoints(v: unknown, what: string): TensorRef[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new InspectorError('', `the model config's ${what} is ${show(v)}, not a list of [layer, node, tensor]`);
  if (typeof v[0] === 'string') return [tensorRef(v, `the model config's ${what}`)];
  const out: TensorRef[] = [];
  for (const x of v) {
    if (!Array.isArray(x)) throw new InspectorError('', `the model config's ${what} holds ${show(x)}, not [layer, node, tensor]`);
    // One level of grouping only (Keras writes [[name, node, tensor], …]).
    if (typeof x[0] !== 'string') throw new InspectorError('', `the model config's ${what} holds ${show(x)}, not [layer, node, tensor]`);
    out.push(tensorRef(x, `the model config's ${what}`));
  }
  return out;
}

function functionalGraph(cfg: Json, className: string): Graph {
  const layersJson = cfg.layers as unknown[];
  const budget: Budget = { layers: 0 };
  const layers = layersJson.map((entry) => {
    const layer = layerFromEntry(entry, 0, budget);
    const e = entry as Json;
    if (e.name !== undefined && e.name !== null && layer.name !== e.name) {
      if (typeof e.name !== 'string' || !e.name) throw new InspectorError('', `layer "${layer.name}" has the name ${show(e.name)} in the model config, not a string`);
      layer.name = e.name;
      layer.config.name = layer.name;
    }
    const problems: string[] = [];
    const callArgs: Json = {};
    const maskRefs: number[] = [];
    layer.inbound = isInputLayer(layer) ? [[]] : parseInbound(e.inbound_nodes, layer.name, problems, callArgs, maskRefs);
    if (maskRefs.length) layer.maskRefs = Array.from(maskRefs, (m) => m ?? 0);
    if (problems.length) layer.tensorKwargs = problems;
    if (Object.keys(callArgs).length) layer.callArgs = callArgs;
    if (isInputLayer(layer)) layer.config.batch_shape = recordedBatchShape(layer.config) ?? null;
    return layer;
  });
  const inputs = parseEndpoints(cfg.input_layers, 'input_layers');
  const outputs = parseEndpoints(cfg.output_layers, 'output_layers');
  if (!inputs.length || !outputs.length) throw new InspectorError('', 'the functional model config names no inputs or outputs');
  const name = cfg.name ?? 'model';
  return { name: typeof name === 'string' ? name : 'model', className, layers, inputs, outputs };
}

/**
 * model_config (the object with class_name + config, as stored in .h5 attributes, .keras
 * config.json, TF.js modelTopology, or model.to_json()) → graph. The config is checked as it is
 * read (configSchema.ts) and the graph before it is returned (graphCheck.ts): a lie ends here in
 * one clear message.
 */
export function graphFromModelConfig(modelConfig: unknown): Graph {
  if (!isObject(modelConfig)) throw new InspectorError('', `the model config is ${show(modelConfig)}, not an object with class_name and config`);
  checkDepth(modelConfig, 'the model config');
  const graph = readGraph(modelConfig);
  checkGraph(graph);
  return graph;
}

function readGraph(modelConfig: Json): Graph {
  const className = plainClassName(modelConfig);
  const cfg = modelConfig.config;
  if (className === 'Sequential') {
    const layersJson = Array.isArray(cfg) ? cfg : isObject(cfg) ? cfg.layers : undefined;
    if (!Array.isArray(layersJson)) throw new InspectorError('', `the Sequential model config has no layer list (its layers are ${show(layersJson)})`);
    const c: Json = isObject(cfg) ? cfg : {};
    const name = c.name ?? 'sequential';
    return sequentialGraph({ ...c, build_config: modelConfig.build_config ?? c.build_config }, layersJson, typeof name === 'string' ? name : 'sequential');
  }
  if (isObject(cfg) && ('input_layers' in cfg || 'output_layers' in cfg)) {
    if (!Array.isArray(cfg.layers)) throw new InspectorError('', `the functional model config's layers are ${show(cfg.layers)}, not a list`);
    return functionalGraph(cfg, className || 'Functional');
  }
  if (isObject(cfg) && className && !('layers' in cfg)) {
    // A single layer saved on its own: treat it as a one-layer model.
    const layer = layerFromEntry(modelConfig);
    const input = inputLayer(`${layer.name}_input`, recordedBatchShape(layer.config), true);
    layer.inbound = [[{ layer: input.name, node: 0, tensor: 0 }]];
    return { name: layer.name, className: 'Sequential', layers: [input, layer], inputs: [{ layer: input.name, node: 0, tensor: 0 }], outputs: [{ layer: layer.name, node: 0, tensor: 0 }] };
  }
  if (!isObject(cfg)) throw new InspectorError('', `the model config of class ${className || 'unknown'} has a config that is ${show(cfg)}, not an object`);
  throw new InspectorError('', `unsupported model config (class ${className || 'unknown'})`);
}
