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
import { firstLine } from './h5';
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
      if (!e.file) throw new InspectorError(display, e.problem);
      throw e;
    }
    throw new InspectorError(display, `cannot read (the file may be damaged): ${firstLine(e)}`);
  }
}

function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}
