/**
 * Sample data for the forward pass: sidecar files found beside the model (names defined by the
 * core's sidecarNames / findSidecars), files the user picks, arrays carried by the model file, or
 * the core's NumPy-identical random inputs. No vscode import.
 *
 * Sidecar names (in the model's folder; STEM is the file name without .weights.h5 / .h5 / .hdf5 /
 * .keras / .json):
 *   inputs:    STEM.inputs.npy|npz|json, X.npy|npz|json, x.*, or X0.npy, X1.npy… for several inputs
 *   expected:  STEM.predictions.*, STEM.expected.*, Y.npy|npz|json, y.*, or Y0.npy, Y1.npy…
 * Any other .npy / .npz file in the folder (and .json files whose names look like arrays) is offered
 * in the drop-downs too, unselected.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { InspectorError, findSidecars, loadArrays, randomInputs, type Model, type NDArray } from '../core';
import type { ArraySource, RunRequest } from '../shared/messages';

export { modelStem } from '../core';

const JSON_ARRAY_NAME = /(^|[._-])(x|y|inputs?|predictions?|expected|outputs?|samples?)([._-]|\.json$)/i;

function fileSource(paths: string[], sidecar: boolean): ArraySource {
  const names = paths.map((p) => path.basename(p)).join(' + ');
  return { kind: 'file', path: paths[0], paths: paths.length > 1 ? paths : undefined, label: sidecar ? `${names} (beside the model)` : names, sidecar };
}

/** Sources for the two drop-downs, sidecars first; the model file itself is never offered. */
export async function discoverSources(model: Model): Promise<{ inputs: ArraySource[]; expected: ArraySource[] }> {
  const file = model.source.path;
  const dir = path.dirname(file);
  let names: string[] = [];
  try {
    names = (await fs.readdir(dir, { withFileTypes: true })).filter((d) => d.isFile()).map((d) => d.name).sort();
  } catch {
    /* an unreadable folder just offers no files */
  }
  const side = findSidecars(file);
  const taken = new Set([file, ...(side.inputs ?? []), ...(side.expected ?? [])].map((p) => path.basename(p)));
  const others = names.filter((n) => !taken.has(n) && (/\.(npy|npz)$/i.test(n) || (/\.json$/i.test(n) && JSON_ARRAY_NAME.test(n))));
  const inputs: ArraySource[] = [];
  const expected: ArraySource[] = [];
  if (model.samples?.inputs?.length) inputs.push({ kind: 'embedded', label: 'Inputs stored in the file' });
  if (side.inputs) inputs.push(fileSource(side.inputs, true));
  inputs.push({ kind: 'random', label: 'Random: np.random.seed(s); np.random.randn(N, T, D)' });
  inputs.push(...others.map((n) => fileSource([path.join(dir, n)], false)));
  if (model.samples?.expected?.length) expected.push({ kind: 'embedded', label: 'Predictions stored in the file' });
  if (side.expected) expected.push(fileSource(side.expected, true));
  expected.push({ kind: 'none', label: 'None (just run)' });
  expected.push(...others.map((n) => fileSource([path.join(dir, n)], false)));
  return { inputs, expected };
}

/** Reads arrays from .npy / .npz / JSON and takes as many as the model has inputs or outputs. */
export async function readArrays(files: string[], count: number): Promise<NDArray[]> {
  const arrays = (await Promise.all(files.map((f) => loadArrays(f)))).flat();
  if (arrays.length < count) {
    throw new InspectorError(files.join(' + '), `holds ${arrays.length} array(s) but ${count} are needed`);
  }
  return arrays.slice(0, count).map((a) => a.array);
}

export interface ResolvedInputs {
  arrays: NDArray[];
  label: string;
}

/** The input batch a run request asks for. */
export async function resolveInputs(model: Model, req: RunRequest): Promise<ResolvedInputs> {
  const nInputs = Math.max(1, model.inputs.length);
  const src = req.inputs;
  if (src.kind === 'embedded') {
    const arrays = model.samples?.inputs ?? [];
    if (!arrays.length) throw new InspectorError(model.source.path, 'the file carries no sample inputs');
    return { arrays, label: src.label };
  }
  if (src.kind === 'file' && src.path) {
    return { arrays: await readArrays(src.paths ?? [src.path], nInputs), label: src.label };
  }
  const r = randomInputs(model, req.samples, req.seed, req.timesteps);
  return { arrays: r.arrays, label: r.python };
}

export async function resolveExpected(model: Model, req: RunRequest): Promise<{ arrays: NDArray[]; label: string } | undefined> {
  const src = req.expected;
  const nOut = Math.max(1, model.outputs.length);
  if (src.kind === 'embedded') {
    const arrays = model.samples?.expected ?? [];
    if (!arrays.length) throw new InspectorError(model.source.path, 'the file carries no stored predictions');
    return { arrays, label: src.label };
  }
  if (src.kind === 'file' && src.path) return { arrays: await readArrays(src.paths ?? [src.path], nOut), label: src.label };
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Batch helpers for running the forward pass in slices.

export function sliceBatch(a: NDArray, start: number, end: number): NDArray {
  const per = a.shape.slice(1).reduce((x, y) => x * y, 1);
  return { shape: [end - start, ...a.shape.slice(1)], data: a.data.slice(start * per, end * per) };
}

export function concatBatch(parts: NDArray[]): NDArray {
  const n = parts.reduce((s, p) => s + p.shape[0], 0);
  const total = parts.reduce((s, p) => s + p.data.length, 0);
  const data = new Float64Array(total);
  let off = 0;
  for (const p of parts) {
    data.set(p.data, off);
    off += p.data.length;
  }
  return { shape: [n, ...parts[0].shape.slice(1)], data };
}
