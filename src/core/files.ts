/**
 * File-system guards for every file RNN Inspector reads: model files, TF.js shards, sidecar and
 * --inputs / --expected arrays, --config JSON. Only regular files are read (a FIFO blocks on open,
 * a device such as /dev/zero never ends, a folder is not a file), each within a documented size
 * limit checked before a byte is read. Files are opened O_NONBLOCK and checked with fstat on the
 * open descriptor, so a FIFO neither blocks the open nor slips in between a stat and the read.
 *
 * Problems are thrown without a file name (the caller's boundary names the file), except where a
 * message is about another file than the one being opened: `what` names it then.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InspectorError } from './model';

/** A JSON file (model JSON dump, TF.js model.json, --config, JSON arrays) larger than this is refused before it is read. */
export const MAX_JSON_BYTES = 256 * 1024 * 1024;
/** An array file loaded whole (.npy / .npz / JSON given as --inputs / --expected or found beside a model). */
export const MAX_ARRAY_FILE_BYTES = 1024 * 1024 * 1024;
/** One TF.js weight shard (TF.js writes 4 MB shards by default). */
export const MAX_SHARD_BYTES = 1024 * 1024 * 1024;
/** Shard files in one TF.js weights-manifest group. */
export const MAX_SHARDS = 10_000;
/** All the weights of one model, as declared by the file (HDF5 datasets, TF.js manifest), before any is read. */
export const MAX_WEIGHT_BYTES = 2 * 1024 * 1024 * 1024;
/** Values in one weight tensor (2^29: 2 GiB of float32, 4 GiB as float64). A 1 GB Keras file holds one 2e6 × 128 Embedding (2.56e8 values); the declared bytes are also checked against the file size. */
export const MAX_TENSOR_ELEMENTS = 2 ** 29;
/** Dimensions of one weight tensor. */
export const MAX_RANK = 8;

const O_NONBLOCK = (fs.constants as { O_NONBLOCK?: number }).O_NONBLOCK ?? 0;
const O_NOCTTY = (fs.constants as { O_NOCTTY?: number }).O_NOCTTY ?? 0;

export const mib = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(n >= 10 * 1024 * 1024 ? 0 : 1)} MB` : `${n} bytes`);

/** What a non-regular file is, in the user's words. */
export function kindOf(st: fs.Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return 'not a plain file';
}

function prefix(what: string | undefined): string {
  return what ? `${what} ` : '';
}

/** The message for a file system error, in words (never a raw ENOENT / EISDIR). */
export function fsProblem(e: unknown, what?: string): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const w = prefix(what);
  switch (code) {
    case 'ENOENT':
      return what ? `${what} not found` : 'file not found';
    case 'ENOTDIR':
      return `${w}not found (a part of its path is not a folder)`;
    case 'EACCES':
    case 'EPERM':
      return `${w}cannot be read: permission denied`;
    case 'ELOOP':
      return `${w}cannot be read: its symbolic links loop`;
    case 'EISDIR':
      return `${w}is a folder, not a file`;
    case 'ENAMETOOLONG':
      return `${w}cannot be read: the path is too long`;
    case 'EMFILE':
    case 'ENFILE':
      return `${w}cannot be read: too many files are open`;
    case 'EIO':
      return `${w}cannot be read: an input/output error from the disk`;
    default:
      return `${w}cannot be read${code ? ` (${code})` : ''}`;
  }
}

function notRegular(st: fs.Stats, what: string | undefined): InspectorError {
  return new InspectorError('', `${what ? `${what} ` : ''}is not a regular file (${kindOf(st)}); RNN Inspector reads only regular files`);
}

/**
 * Stats a path (following symbolic links) and insists on a regular file of at most `limit` bytes.
 * Nothing is opened: use it before handing a path to a library that opens it itself (h5wasm).
 */
export function checkRegularFile(file: string, opts: { what?: string; limit?: number; limitName?: string } = {}): fs.Stats {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new InspectorError('', fsProblem(e, opts.what));
  }
  if (!st.isFile()) throw notRegular(st, opts.what);
  if (opts.limit !== undefined && st.size > opts.limit) throw tooLarge(st.size, opts.limit, opts.what, opts.limitName);
  return st;
}

function tooLarge(size: number, limit: number, what: string | undefined, limitName = 'this kind of file'): InspectorError {
  return new InspectorError('', `${what ? `${what} ` : ''}is ${mib(size)}, more than the ${mib(limit)} RNN Inspector reads for ${limitName}`);
}

/**
 * Opens a regular file for reading without blocking (O_NONBLOCK: a FIFO does not block the open)
 * and checks it with fstat on the descriptor. Returns the descriptor and its size; close it.
 */
export function openRegular(file: string, opts: { what?: string; limit?: number; limitName?: string } = {}): { fd: number; size: number } {
  // stat first: a directory or a device is refused without opening it at all.
  checkRegularFile(file, { what: opts.what });
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | O_NONBLOCK | O_NOCTTY);
  } catch (e) {
    throw new InspectorError('', fsProblem(e, opts.what));
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw notRegular(st, opts.what);
    if (opts.limit !== undefined && st.size > opts.limit) throw tooLarge(st.size, opts.limit, opts.what, opts.limitName);
    return { fd, size: st.size };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** Reads `length` bytes at `position` (fewer only at the end of the file). */
export function readFully(fd: number, length: number, position: number): Buffer {
  const b = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, b, got, length - got, position + got);
    if (n <= 0) break;
    got += n;
  }
  return got < length ? b.subarray(0, got) : b;
}

/**
 * A whole regular file of at most `limit` bytes. Reads exactly the size fstat reported (a file
 * that grows meanwhile is cut there), so nothing is read without bound.
 */
export function readRegularFile(file: string, opts: { what?: string; limit: number; limitName?: string }): Buffer {
  const { fd, size } = openRegular(file, opts);
  try {
    const b = readFully(fd, size, 0);
    if (b.length < size) throw new InspectorError('', `${prefix(opts.what)}ended while being read (it is ${mib(size)} but only ${mib(b.length)} could be read)`);
    return b;
  } catch (e) {
    if (e instanceof InspectorError) throw e;
    throw new InspectorError('', fsProblem(e, opts.what));
  } finally {
    fs.closeSync(fd);
  }
}

/** A JSON file as text (BOM removed), regular and at most MAX_JSON_BYTES. */
export function readJsonText(file: string, what?: string): string {
  return readRegularFile(file, { what, limit: MAX_JSON_BYTES, limitName: 'a JSON file' }).toString('utf8').replace(/^\uFEFF/, '');
}

/**
 * Resolves `rel` (a path written inside a model file) inside `dir`, the model's own folder.
 * Refuses absolute paths, `..` escapes and symbolic links whose target lies outside the folder,
 * saying why. Returns the real path.
 */
export function insideFolder(dir: string, rel: unknown, what: string): string {
  if (typeof rel !== 'string' || rel === '') throw new InspectorError('', `${what} path ${JSON.stringify(rel) ?? String(rel)} is not a file name`);
  if (rel.includes('\0')) throw new InspectorError('', `${what} path ${JSON.stringify(rel)} holds a NUL character`);
  const shown = JSON.stringify(rel);
  if (path.isAbsolute(rel) || path.win32.isAbsolute(rel) || /^[a-zA-Z]:/.test(rel)) {
    throw new InspectorError('', `${what} ${shown} is an absolute path: RNN Inspector reads only files inside the model's folder`);
  }
  const parts = rel.split(/[\\/]+/);
  if (parts.includes('..')) throw new InspectorError('', `${what} ${shown} climbs out of the model's folder (".."): RNN Inspector reads only files inside the model's folder`);
  let realDir: string;
  try {
    realDir = fs.realpathSync(dir);
  } catch (e) {
    throw new InspectorError('', fsProblem(e, "the model's folder"));
  }
  const joined = path.join(dir, ...parts);
  let real: string;
  try {
    real = fs.realpathSync(joined);
  } catch (e) {
    throw new InspectorError('', fsProblem(e, `${what} ${shown} listed in the manifest`));
  }
  const relReal = path.relative(realDir, real);
  if (relReal === '' || relReal.startsWith('..') || path.isAbsolute(relReal)) {
    throw new InspectorError('', `${what} ${shown} is a link to a file outside the model's folder: RNN Inspector reads only files inside the model's folder`);
  }
  return real;
}
