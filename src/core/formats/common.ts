/**
 * What the model openers share: reading a JSON file, naming the Keras version, assembling the
 * Model, attaching weights by layer name. Problems are thrown without a file name: openModel (or
 * `inFile`, for another file such as a --config) adds it once.
 */
import { readJsonText } from '../files';
import { InspectorError, type Model } from '../model';
import type { StoredLayer } from './infer';
import type { Graph } from './kerasConfig';
import { attachWeights } from './weights';

export interface OpenOptions {
  /** Load weight values (default true). false reads shapes and metadata only. */
  weights?: boolean;
  /** Name shown in messages (default: the path as given). */
  displayName?: string;
  /** A Keras architecture JSON to pair with a weights-only file (otherwise sibling JSON files are searched by structure). */
  configPath?: string;
}

/** Runs `f`; a problem it throws without a file name is about `file`. */
export function inFile<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InspectorError && !e.file) throw new InspectorError(file, e.problem);
    throw e;
  }
}

export function readJson(file: string): unknown {
  const text = readJsonText(file);
  try {
    return JSON.parse(text);
  } catch (e) {
    // V8 quotes a piece of the text: keep the message on one line, without control characters.
    const msg = (e instanceof Error ? e.message : String(e)).replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ').slice(0, 200);
    throw new InspectorError('', `invalid JSON: ${msg}`);
  }
}

export function versionLabel(v: string | undefined): string {
  return v ? `Keras ${v}` : 'Keras';
}

export function makeModel(graph: Graph, parts: Omit<Model, 'name' | 'className' | 'layers' | 'inputs' | 'outputs'>): Model {
  return { name: graph.name, className: graph.className, layers: graph.layers, inputs: graph.inputs, outputs: graph.outputs, ...parts };
}

/** Attaches legacy stored layers (by layer name) to a graph from a config. */
export function attachByName(graph: Graph, stored: StoredLayer[]): void {
  for (const s of stored) {
    const layer = graph.layers.find((l) => l.name === s.name);
    if (!layer) {
      if (s.weights.length) throw new InspectorError('', `the file stores weights for layer "${s.name}", which the model config does not have`);
      continue;
    }
    attachWeights(layer, s.weights);
  }
}
