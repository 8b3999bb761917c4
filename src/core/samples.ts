/**
 * Sample data for the forward pass: sidecar files found beside a model, and seeded random inputs
 * identical to the notebooks' `np.random.seed(s); X = np.random.randn(N, T, D)`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { NumpyRandomState } from './arrays/numpyRandom';
import { InspectorError, type Model, type NDArray } from './model';
import { consumers } from './layers/graph';
import { inputLayerShape } from './layers/core';
import { takesTokens } from './layers/registry';

const MODEL_SUFFIXES = ['.weights.h5', '.hdf5', '.h5', '.keras', '.json'];
const ARRAY_EXTS = ['.npy', '.npz', '.json'];

/** "model.weights.h5" → "model", "seed.keras" → "seed". */
export function modelStem(modelPath: string): string {
  const base = path.basename(modelPath);
  const suffix = MODEL_SUFFIXES.find((s) => base.toLowerCase().endsWith(s));
  return suffix ? base.slice(0, base.length - suffix.length) : base;
}

/**
 * Sidecar names, most specific first (documented in docs/formats.md):
 *   inputs:    <stem>.inputs.{npy,npz,json}, X.{npy,npz,json}, or X0.npy, X1.npy… for several inputs
 *   expected:  <stem>.predictions.{npy,npz,json}, <stem>.expected.*, Y.{npy,npz,json}, or Y0.npy, Y1.npy…
 */
export function sidecarNames(modelPath: string): { inputs: string[]; expected: string[] } {
  const stem = modelStem(modelPath);
  const withExts = (names: string[]) => names.flatMap((n) => ARRAY_EXTS.map((e) => n + e));
  return {
    inputs: withExts([`${stem}.inputs`, 'X', 'x']),
    expected: withExts([`${stem}.predictions`, `${stem}.expected`, 'Y', 'y']),
  };
}

function numbered(dir: string, letter: string): string[] {
  const out: string[] = [];
  for (let i = 0; fs.existsSync(path.join(dir, `${letter}${i}.npy`)); i++) out.push(path.join(dir, `${letter}${i}.npy`));
  return out;
}

export interface Sidecars {
  /** One file (possibly .npz with several arrays) or several numbered .npy files. */
  inputs?: string[];
  expected?: string[];
}

/** Finds sidecar sample files beside a model; a JSON model file is never taken as its own sidecar. */
export function findSidecars(modelPath: string): Sidecars {
  const dir = path.dirname(modelPath);
  const self = path.resolve(modelPath);
  const names = sidecarNames(modelPath);
  const first = (list: string[]) => list.map((n) => path.join(dir, n)).find((p) => path.resolve(p) !== self && fs.existsSync(p) && fs.statSync(p).isFile());
  const result: Sidecars = {};
  const x = first(names.inputs);
  const xs = numbered(dir, 'X');
  if (x) result.inputs = [x];
  else if (xs.length) result.inputs = xs;
  const y = first(names.expected);
  const ys = numbered(dir, 'Y');
  if (y) result.expected = [y];
  else if (ys.length) result.expected = ys;
  return result;
}

export interface RandomInputs {
  arrays: NDArray[];
  /** The NumPy code that makes the same arrays, e.g. "np.random.seed(0); X = np.random.randn(15, 10, 3)". */
  python: string;
}

/**
 * Seeded random inputs for each model input, in order, from one RandomState (as a notebook would
 * draw X0 then X1): standard normal for float inputs, `randint(0, V)` for an Embedding's token ids.
 * Unknown sequence lengths take `timesteps` (default 10).
 */
export function randomInputs(model: Model, n: number, seed: number, timesteps = 10): RandomInputs {
  if (!Number.isInteger(n) || n < 1) throw new InspectorError('', `the number of samples N must be a positive integer (got ${n})`);
  const rng = new NumpyRandomState(seed);
  const lines = [`np.random.seed(${seed})`];
  const arrays = model.inputs.map((ref, i) => {
    const input = model.layers.find((l) => l.name === ref.layer);
    if (!input) throw new InspectorError('', `model input ${ref.layer} not found`);
    const batchShape = inputLayerShape(input, model) ?? [null, null, null];
    const rest = batchShape.slice(1).map((d, k) => (d ?? (k === 0 ? timesteps : null)));
    if (rest.some((d) => d === null)) throw new InspectorError('', `the input shape of ${input.name} is not fully known (${JSON.stringify(batchShape)}); load inputs from a file instead`);
    const shape = [n, ...(rest as number[])];
    const name = model.inputs.length > 1 ? `X${i}` : 'X';
    const consumer = consumers(model, input.name)[0];
    if (consumer && takesTokens(consumer)) {
      const vocab = Number(consumer.config.input_dim);
      lines.push(`${name} = np.random.randint(0, ${vocab}, size=(${shape.join(', ')}))`);
      return rng.randint(0, vocab, shape);
    }
    lines.push(`${name} = np.random.randn(${shape.join(', ')})`);
    return rng.randn(...shape);
  });
  return { arrays, python: lines.join('; ') };
}
