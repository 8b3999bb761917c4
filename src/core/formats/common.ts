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
import { checkDepth, show } from './configSchema';

export interface OpenOptions {
  /** Load weight values (default true). false reads shapes and metadata only. */
  weights?: boolean;
  /** Name shown in messages (default: the path as given). */
  displayName?: string;
  /** A Keras architecture JSON to pair with a weights-only file (otherwise sibling JSON files are searched by structure). */
  configPath?: string;
}

export { inFile } from '../inFile';

export function readJson(file: string): unknown {
  const text = readJsonText(file);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    // V8 quotes a piece of the text: keep the message on one line, without control characters.
    const msg = (e instanceof Error ? e.message : String(e)).replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ').slice(0, 200);
    // NaN / Infinity are not JSON (Python's json.dump writes them unless allow_nan=False).
    const nonJson = /\b(NaN|-?Infinity)\b/.exec(text);
    throw new InspectorError('', nonJson ? `invalid JSON: it holds ${nonJson[1]}, which JSON cannot hold (the weights must be finite numbers)` : `invalid JSON: ${msg}`);
  }
  checkDepth(value, 'the JSON');
  return value;
}

export function versionLabel(v: string | undefined): string {
  return v ? `Keras ${v}` : 'Keras';
}

/** The model every opener returns; the version and backend a file records must be strings. */
export function makeModel(graph: Graph, parts: Omit<Model, 'name' | 'className' | 'layers' | 'inputs' | 'outputs'>): Model {
  for (const [key, v] of [['keras_version', parts.kerasVersion], ['backend', parts.backend]] as const) {
    if (v !== undefined && v !== null && typeof v !== 'string') throw new InspectorError('', `the file's ${key} is ${show(v)}, not a version string`);
    if (typeof v === 'string' && v.length > 100) throw new InspectorError('', `the file's ${key} is ${v.length} characters long, not a version string`);
  }
  if (parts.kerasVersion === null) parts = { ...parts, kerasVersion: undefined };
  if (parts.backend === null) parts = { ...parts, backend: undefined };
  return { name: graph.name, className: graph.className, layers: graph.layers, inputs: graph.inputs, outputs: graph.outputs, ...parts };
}

/** Attaches legacy stored layers (by layer name) to a graph from a config. */
export function attachByName(graph: Graph, stored: StoredLayer[]): void {
  const byName = new Map(graph.layers.map((l) => [l.name, l]));
  for (const s of stored) {
    const layer = byName.get(s.name);
    if (!layer) {
      if (s.weights.length) throw new InspectorError('', `the file stores weights for layer "${s.name}", which the model config does not have`);
      continue;
    }
    attachWeights(layer, s.weights);
  }
}
