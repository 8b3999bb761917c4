/**
 * JSON model files → Model (docs/formats.md): model.to_json() architectures, the notebook dump
 * {Wx, Wh, bh, Wo, bo}, layer-keyed dumps, get_weights() lists, TF.js layers models and the
 * project's own JSON format. The JSON readers themselves are in jsonWeights.ts and tfjs.ts.
 */
import { InspectorError, type Model, type Weight } from '../model';
import { GUESS } from '../layers/registry';
import { isInputLayer } from '../layers/core';
import { attachByName, makeModel, versionLabel } from './common';
import { inferGraph, type StoredLayer } from './infer';
import { groupWeightList, isLayerDict, jsonArray, jsonWeight, readLayerDict, readNotebookDump, type JsonKind } from './jsonWeights';
import { graphFromModelConfig, type Graph } from './kerasConfig';
import { readTfjs } from './tfjs';
import { attachWeights } from './weights';
import type { OpenOptions } from './common';
import { checkLayerConfig, isObject, show } from './configSchema';

export function openJson(value: unknown, kind: JsonKind, file: string, opts: OpenOptions, bytes: number): Model {
  const notes: string[] = [];
  const source = { path: file, bytes };
  switch (kind) {
    case 'keras-json-config': {
      const cfg = value as any;
      const graph = graphFromModelConfig(cfg);
      notes.push('architecture only (model.to_json()): shapes and parameters, no weights, no forward pass');
      return makeModel(graph, { format: { id: 'keras-json-config', label: `${versionLabel(cfg.keras_version)} architecture JSON (model.to_json())` }, kerasVersion: cfg.keras_version, backend: cfg.backend, notes, source, hasWeights: false });
    }
    case 'json-notebook': {
      if (isLayerDict(value as Record<string, unknown>)) {
        const graph = inferGraph(readLayerDict(value as Record<string, Record<string, unknown>>), notes);
        return makeModel(graph, { format: { id: 'json-notebook', label: 'Layer-keyed weight dump (JSON)' }, notes, source, hasWeights: true });
      }
      const nb = readNotebookDump(value as Record<string, unknown>);
      checkLayerConfig({ activation: nb.activation }, 'the notebook dump');
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
      const stored = groupWeightList(value as unknown[], notes);
      const graph = inferGraph(stored, notes);
      return makeModel(graph, { format: { id: 'json-weight-list', label: 'Weight list JSON (model.get_weights())' }, notes, source, hasWeights: true });
    }
    case 'tfjs-layers': {
      const t = readTfjs(value, file, opts.weights !== false);
      for (const layer of t.graph.layers) attachWeights(layer, t.weights.get(layer) ?? []);
      return makeModel(t.graph, { format: { id: 'tfjs-layers', label: `TensorFlow.js layers model${t.kerasVersion ? ` (${versionLabel(t.kerasVersion)})` : ''}` }, kerasVersion: t.kerasVersion, backend: t.backend, notes, source, hasWeights: true });
    }
    case 'rnn-inspector-json':
      return openProjectJson(value as Record<string, any>, notes, source);
  }
}

/** The project's own JSON format (docs/formats.md): optional model_config, weights per layer, optional samples. */
function openProjectJson(o: Record<string, any>, notes: string[], source: Model['source']): Model {
  const weights: Record<string, unknown[]> = o.weights ?? {};
  if (typeof weights !== 'object' || Array.isArray(weights)) throw new InspectorError('', '"weights" must map layer names to lists of arrays (get_weights() order)');
  const stored: StoredLayer[] = Object.entries(weights).map(([name, list]) => {
    if (!Array.isArray(list)) throw new InspectorError('', `weights of layer "${name}" must be a list of arrays`);
    return { name, weights: list.map((v, i): Weight => jsonWeight(v, `${name}/${i}`)) };
  });
  let graph: Graph;
  if (o.model_config) {
    graph = graphFromModelConfig(o.model_config);
    attachByName(graph, stored);
  } else {
    graph = inferGraph(stored, notes);
  }
  // samples.inputs / samples.expected: always a list with one array per model input / output.
  const list = (v: unknown, what: string) => {
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) throw new InspectorError('', `samples.${what} must be a list with one array per model ${what === 'inputs' ? 'input' : 'output'}`);
    return v.map((x, i) => jsonArray(x, `samples.${what}[${i}]`));
  };
  if (o.samples !== undefined && o.samples !== null && !isObject(o.samples)) throw new InspectorError('', `"samples" is ${show(o.samples)}, not an object with inputs and expected`);
  const samples = o.samples ? { inputs: list(o.samples.inputs, 'inputs'), expected: list(o.samples.expected, 'expected') } : undefined;
  return makeModel(graph, { format: { id: 'rnn-inspector-json', label: 'RNN Inspector JSON' }, kerasVersion: o.keras_version, notes, source, hasWeights: stored.length > 0, samples });
}
