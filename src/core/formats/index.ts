/**
 * openModel: any supported file → the normalized Model. The format is decided by content
 * (detect.ts: HDF5 signature, zip signature, JSON structure), never by the file name. Readers
 * throw problems without a file name; this boundary names the file once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InspectorError, type Model } from '../model';
import { sniff } from '../detect';
import { readJson, type OpenOptions } from './common';
import { classifyJson } from './jsonWeights';
import { openJson } from './openJson';
import { openHdf5, openZip } from './openKeras';

export type { OpenOptions } from './common';

async function open(file: string, opts: OpenOptions): Promise<Model> {
  const { kind, bytes } = sniff(file);
  switch (kind) {
    case 'hdf5':
      return await openHdf5(file, opts, bytes);
    case 'zip':
      return await openZip(file, opts, bytes);
    case 'json': {
      const value = readJson(file);
      const k = classifyJson(value);
      if (!k) {
        const keys = value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value).slice(0, 8).join(', ') : typeof value;
        throw new InspectorError('', `JSON, but not a recognized weight format (found: ${keys}); see docs/formats.md`);
      }
      return openJson(value, k, file, opts, bytes);
    }
    case 'npy':
      throw new InspectorError('', 'a NumPy array file (.npy), not a model: use it as inputs or expected predictions');
    case 'directory':
      throw new InspectorError('', 'a folder without model.json (a TF.js layers model folder holds model.json and its shards)');
    default:
      throw new InspectorError('', 'unsupported file: not HDF5, not a .keras zip, not JSON');
  }
}

/** Opens any supported model file. Errors are InspectorErrors naming the file and the problem. */
export async function openModel(file: string, opts: OpenOptions = {}): Promise<Model> {
  let display = opts.displayName ?? file;
  // A TF.js layers model folder: its model.json.
  const mj = path.join(file, 'model.json');
  if (isDirectory(file) && fs.existsSync(mj)) {
    file = mj;
    display = path.join(display, 'model.json');
  }
  try {
    return await open(file, opts);
  } catch (e) {
    if (e instanceof InspectorError) {
      if (!e.file) throw new InspectorError(display, e.problem, e.detail);
      throw e;
    }
    throw internalError(display, e);
  }
}

/**
 * The error boundary's last resort: a failure that is not an InspectorError (a reader bug, the
 * runtime giving up) said in the user's words, naming the file; the runtime's own text is kept in
 * `detail` for the log, never in the headline.
 */
export function internalError(display: string, e: unknown): InspectorError {
  const text = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  const detail = e instanceof Error && e.stack ? e.stack : text;
  let problem = 'could not be read: the file is damaged or not laid out as Keras writes it (the reader stopped on an internal error; details in the log)';
  if (/Maximum call stack|too much recursion/i.test(text)) problem = 'nested too deeply to read (a config or array nested thousands of levels deep); the file may be damaged or hostile';
  else if (/Invalid typed array length|Invalid array length|Array buffer allocation failed|out of memory|allocation failed/i.test(text)) problem = 'declares sizes too large to read; the file may be damaged or hostile';
  return new InspectorError(display, problem, detail.slice(0, 4000));
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}
