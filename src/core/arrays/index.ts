/**
 * Sample data for the forward pass: NumPy .npy / .npz files and JSON nested lists.
 *
 * `loadArrays(path)` decides by content, not by extension:
 *   - "\x93NUMPY" (.npy)      → one array, named after the file (X.npy → "X");
 *   - "PK\x03\x04" (.npz/zip) → its members in archive order, named without ".npy";
 *   - anything else is read as UTF-8 JSON:
 *       a number or nested list        → one array named after the file;
 *       an object of named arrays      → one array per key, in key order, e.g.
 *                                        {"X": [[[…]]]}, {"inputs": …, "expected": …}, {"Wx": …, "Wh": …};
 *         each value is a number or a rectangular nested list of numbers (booleans count as 0/1).
 * Callers choose by name (inputs / X / x for inputs, expected / y / Y for outputs).
 * Every failure is an InspectorError naming the file.
 */
import { MAX_ARRAY_FILE_BYTES, readRegularFile } from '../files';
import * as path from 'node:path';
import { NDArray, InspectorError } from '../model';
import { parseNpy } from './npy';
import { parseNpz } from './npz';
import { hasNpyMagic, hasZipMagic } from '../detect';
import { arrayFromJson } from './json';

export { parseNpy, writeNpy } from './npy';
export type { NpyArray } from './npy';
export { parseNpz } from './npz';
export { arrayFromJson, arrayToNested } from './json';

export interface NamedArray {
  name: string;
  array: NDArray;
}

/** Reads sample arrays from a .npy, .npz or JSON file (see the header for what is accepted). */
export async function loadArrays(file: string): Promise<NamedArray[]> {
  let bytes: Uint8Array;
  try {
    bytes = readRegularFile(file, { limit: MAX_ARRAY_FILE_BYTES, limitName: 'an array file loaded whole' });
  } catch (e) {
    if (e instanceof InspectorError) throw new InspectorError(file, `cannot read the file: ${e.problem}`);
    throw new InspectorError(file, 'cannot read the file');
  }
  return arraysFromBytes(bytes, file);
}

/** The content dispatch of `loadArrays`, for bytes already in memory. */
export function arraysFromBytes(bytes: Uint8Array, file: string): NamedArray[] {
  const stem = path.basename(file).replace(/\.[^.]*$/, '') || 'array';
  if (hasNpyMagic(bytes)) return [{ name: stem, array: parseNpy(bytes, file) }];
  if (hasZipMagic(bytes)) {
    const arrays = parseNpz(bytes, file);
    if (arrays.length === 0) throw new InspectorError(file, 'the .npz archive holds no arrays');
    return arrays;
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new InspectorError(
      file,
      `not a NumPy .npy/.npz file, and not valid JSON (${(e instanceof Error ? e.message : String(e)).replace(/[\u0000-\u001f\u007f-\u009f\s]+/g, ' ').slice(0, 200)})`,
    );
  }
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    if (entries.length === 0) throw new InspectorError(file, 'the JSON object holds no arrays');
    return entries.map(([name, v]) => ({ name, array: arrayFromJson(v, file, JSON.stringify(name)) }));
  }
  return [{ name: stem, array: arrayFromJson(value, file) }];
}
