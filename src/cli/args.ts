/**
 * The command line's options, checked before any file is opened: one line naming the option and
 * the problem (exit code 2), never node:util's own wording or a stack trace. Files named by
 * options are checked to exist and be regular files; --out may never overwrite what is read.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { InspectorError } from '../core';

/** A mistake in the command line (exit code 2, "see rnn-inspector --help"). */
export class UsageError extends Error {}

/** The most random samples `--samples` may ask for. */
export const MAX_SAMPLES = 100_000;
/** NumPy's seeds: 0 … 2³² − 1. */
export const MAX_SEED = 2 ** 32 - 1;

export const OPTIONS = {
  json: { type: 'boolean' },
  inputs: { type: 'string', multiple: true },
  expected: { type: 'string', multiple: true },
  out: { type: 'string' },
  atol: { type: 'string' },
  rtol: { type: 'string' },
  samples: { type: 'string' },
  seed: { type: 'string' },
  config: { type: 'string' },
  columns: { type: 'string' },
  'line-length': { type: 'string' },
  'keras2-hard-sigmoid': { type: 'boolean' },
  'hard-sigmoid': { type: 'string' },
  precision: { type: 'string' },
  targets: { type: 'string', multiple: true },
  loss: { type: 'string' },
  check: { type: 'boolean' },
} as const;

/** A value that starts with "-" but is a number ("-1", "-.5", "-1e3", "-inf"): it belongs to the option before it. */
const NEGATIVE = /^-(\d|\.\d|inf|nan)/i;

/**
 * node:util parseArgs, with `--samples -1` read as `--samples=-1` (parseArgs calls it
 * "ambiguous") and its errors in one line of our own.
 */
export function parseCommandLine(rest: string[]) {
  const args: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const name = a.startsWith('--') ? a.slice(2) : '';
    const spec = (OPTIONS as Record<string, { type: string }>)[name];
    if (spec?.type === 'string' && i + 1 < rest.length && NEGATIVE.test(rest[i + 1])) {
      args.push(`${a}=${rest[++i]}`);
    } else args.push(a);
  }
  try {
    return parseArgs({ args, allowPositionals: true, options: OPTIONS });
  } catch (e) {
    const code = (e as { code?: string }).code;
    const msg = e instanceof Error ? e.message : String(e);
    const opt = /'(-[^' ]+)/.exec(msg)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`unknown option ${opt}`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
      if (/argument missing|ambiguous/.test(msg)) throw new UsageError(`${opt} needs a value (a value starting with "-" is written ${opt}=VALUE)`);
      throw new UsageError(`${opt} takes no value`);
    }
    throw new UsageError(msg.split('\n')[0]);
  }
}

/** A whole number written in digits, within [min, max], or a usage error naming the option. */
export function wholeNumber(v: string, option: string, min: number, max: number): number {
  const x = /^\s*[+-]?\d+\s*$/.test(v) ? Number(v) : Number.NaN;
  if (!Number.isSafeInteger(x) || x < min || x > max) {
    throw new UsageError(`${option} must be a whole number from ${min.toLocaleString('en-US')} to ${max.toLocaleString('en-US')} (got ${JSON.stringify(v)})`);
  }
  return x;
}

/** What a path is, for a message: "no such file", "is a folder", or null when it is a regular file. */
function notAFile(p: string): string | null {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return 'no such file';
    if (code === 'EACCES' || code === 'EPERM') return 'permission denied: the file cannot be read';
    if (code === 'ELOOP') return 'a symbolic link that loops';
    if (code === 'ENAMETOOLONG') return 'the file name is too long for this system';
    return 'the file cannot be read';
  }
  if (st.isDirectory()) return 'is a folder, not a file';
  if (!st.isFile()) return 'is not a regular file (a device, pipe or socket)';
  return null;
}

/** Every file an option names must exist and be a regular file: "X.npy: no such file (--inputs)". */
export function checkFiles(files: string[] | undefined, option: string): void {
  for (const f of files ?? []) {
    if (!f.trim()) throw new UsageError(`${option} is given an empty file name`);
    const why = notAFile(f);
    if (why) throw new InspectorError(f, `${why} (${option})`);
  }
}

/** The model path: a file, or a TF.js folder (openModel says when the folder holds no model.json). */
export function checkModelPath(file: string): void {
  if (!file.trim()) throw new UsageError('the MODEL file name is empty');
  try {
    if (fs.statSync(file).isDirectory()) return;
  } catch {
    /* reported below */
  }
  const why = notAFile(file);
  if (why) throw new InspectorError(file, why);
}

/** Same file on disk (hard links and symbolic links included), for existing paths. */
function sameFile(a: string, b: string): boolean {
  try {
    const x = fs.statSync(a);
    const y = fs.statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

/** A file the command reads, and what it is to the user ("the model", "--inputs"). */
export interface ReadFile {
  file: string;
  what: string;
}

/** Files of a model that is a folder or a TF.js model.json: model.json and its shards. */
function modelFiles(model: string): ReadFile[] {
  const files: ReadFile[] = [{ file: model, what: 'the model' }];
  let json = model;
  try {
    if (fs.statSync(model).isDirectory()) json = path.join(model, 'model.json');
    if (!/\.json$/i.test(json) || fs.statSync(json).size > 64 * 1024 * 1024) return files;
    files.push({ file: json, what: 'the model' });
    const m = JSON.parse(fs.readFileSync(json, 'utf8'));
    for (const g of Array.isArray(m?.weightsManifest) ? m.weightsManifest : []) {
      for (const p of Array.isArray(g?.paths) ? g.paths : []) if (typeof p === 'string') files.push({ file: path.resolve(path.dirname(json), p), what: 'a weight shard of the model' });
    }
  } catch {
    /* not JSON, or unreadable: the reader reports it */
  }
  return files;
}

/** The model files, weights and configs beside a model that an --out must not replace. */
const MODEL_EXT = /\.(h5|hdf5|keras|json|bin|npy|npz)$/i;

/**
 * --out: never a folder, never a file this command reads (the model, its shards, a config beside
 * it, --inputs / --expected / --targets / --config, sidecar inputs), compared as files on disk.
 */
export function checkOut(out: string, model: string, read: ReadFile[]): void {
  if (!out.trim()) throw new UsageError('--out is given an empty file name');
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(out);
  } catch {
    /* a new file */
  }
  if (st?.isDirectory()) throw new InspectorError(out, 'is a folder: --out needs a file name, e.g. Y.npy');
  const parent = path.dirname(path.resolve(out));
  if (notAFile(parent) !== 'is a folder, not a file') throw new InspectorError(out, `its folder ${parent} does not exist (--out)`);
  if (!st) return;
  const inputs = [...modelFiles(model), ...read];
  const hit = inputs.find((f) => sameFile(f.file, out));
  if (hit) throw new InspectorError(out, `--out would overwrite ${hit.what}${path.resolve(hit.file) === path.resolve(out) ? '' : ` (${hit.file}, the same file)`}, which this command reads: choose another file name`);
  const modelDir = fs.statSync(model).isDirectory() ? path.resolve(model) : path.dirname(path.resolve(model));
  if (path.dirname(path.resolve(out)) === modelDir && MODEL_EXT.test(out) && !/\.npy$/i.test(out)) {
    throw new InspectorError(out, '--out would overwrite a model, weights or config file beside the model: choose another file name');
  }
}

/** Why a write failed, in words (never the raw error code). */
function writeProblem(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'no space left on the device';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EROFS') return 'the file system is read-only';
  if (code === 'EISDIR') return 'it is a folder';
  if (code === 'ENOENT' || code === 'ENOTDIR') return 'its folder does not exist';
  if (code === 'ENAMETOOLONG') return 'the file name is too long for this system';
  if (code === 'EFBIG') return 'the file would be larger than the file system allows';
  return 'the system refused the write';
}

/** Writes an --out file; a failure is one line naming the file ("no space left on the device"). */
export function writeOut(file: string, bytes: Uint8Array): void {
  try {
    fs.writeFileSync(file, bytes);
  } catch (e) {
    throw new InspectorError(file, `cannot write the file: ${writeProblem(e)} (--out)`);
  }
}
