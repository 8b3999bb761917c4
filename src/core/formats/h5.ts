/**
 * A thin, safe layer over h5wasm's Node build: loading (with the two known traps handled), opening
 * a file read-only from disk (no copy into memory), and reading Keras's attributes and datasets.
 */
import type * as H5 from 'h5wasm/node' with { 'resolution-mode': 'import' };
import * as fs from 'node:fs';
import { InspectorError } from '../model';
import { captureOutput, guardOpen, installRegions, regionOf } from './h5region';
import { MAX_RANK, MAX_TENSOR_ELEMENTS, MAX_WEIGHT_BYTES, checkRegularFile, mib } from '../files';
import { hasHdf5Signature } from '../detect';
import { decodeBfloat16, decodeFloat16 } from '../dtypes';

type H5Module = typeof H5;
let loading: Promise<H5Module> | undefined;

/** Depth of nested groups walked in a Keras 3 weight store (Keras writes about 6; a hard-link cycle never ends). */
export const MAX_H5_DEPTH = 32;
/** Groups and datasets visited in one HDF5 file (a bound on any walk, cycles included). */
export const MAX_H5_OBJECTS = 200_000;
/**
 * Chunked or compressed datasets may declare at most this many times the file's size in values
 * (plus 1 MB): missing chunks read as fill values, so a small file can otherwise declare gigabytes.
 */
export const MAX_H5_EXPANSION = 1000;

/**
 * What h5wasm's Emscripten runtime prints (its `Aborted(…)` line, warnings): routed here while a
 * model is read, kept for the error's details instead of reaching the terminal.
 */
const diagnostics: string[] = [];
let capturing = false;
const route = (orig: (...a: unknown[]) => void) => (...args: unknown[]): void => {
  if (!capturing) return orig(...args);
  diagnostics.push(args.map(String).join(' ').slice(0, 500));
  if (diagnostics.length > 20) diagnostics.shift();
};

/**
 * Loads h5wasm once. Two traps (design notes §2): the Emscripten glue rejects a Chrome/Electron
 * `navigator.userAgent` (hide navigator while it initializes), and its default error handler prints
 * to stderr and returns an invalid file instead of throwing (switch to the throwing handler).
 */
export function h5wasm(): Promise<H5Module> {
  loading ??= (async () => {
    const desc = Object.getOwnPropertyDescriptor(globalThis, 'navigator');
    const hide = desc?.configurable === true;
    if (hide) Object.defineProperty(globalThis, 'navigator', { value: undefined, configurable: true, writable: true });
    // The runtime binds console.log / console.error once, when it starts: give it routers.
    const { log, error } = console;
    console.log = route(log.bind(console));
    console.error = route(error.bind(console));
    try {
      const mod = (await import('h5wasm/node')) as H5Module;
      const Module = (await mod.ready) as unknown as { activate_throwing_error_handler?: () => void };
      Module.activate_throwing_error_handler?.();
      installRegions((mod as unknown as { FS: Parameters<typeof installRegions>[0] }).FS);
      return mod;
    } finally {
      if (console.log !== log) console.log = log;
      if (console.error !== error) console.error = error;
      if (hide && desc) Object.defineProperty(globalThis, 'navigator', desc);
    }
  })();
  return loading;
}

export type H5File = H5.File;
export type H5Group = H5.Group;
export type H5Dataset = H5.Dataset;

/** What is being read in the open file, for messages ("attribute model_config of /"). */
interface Reading {
  what: string;
  fileBytes: number;
  /** Bytes of dataset values declared so far (checked against MAX_WEIGHT_BYTES). */
  declared: number;
  /** Of which chunked or compressed (checked against MAX_H5_EXPANSION × the file's size). */
  packed: number;
  objects: number;
  refusal(): string | undefined;
  /** What HDF5 printed meanwhile (its HDF5-DIAG stacks). */
  printed?: () => string;
}
let reading: Reading | undefined;

/** Notes what is being read next (named in the message if HDF5 fails on it). */
export function nowReading(what: string): void {
  if (reading) reading.what = what;
}

/** Counts one visited group or dataset; refuses past MAX_H5_OBJECTS. */
export function visit(where: string): void {
  if (reading && ++reading.objects > MAX_H5_OBJECTS) {
    throw new InspectorError('', `the HDF5 file holds more than ${MAX_H5_OBJECTS.toLocaleString('en-US')} groups and datasets along ${where} (a link cycle, or not a Keras model)`);
  }
}

/**
 * Opens an HDF5 file read-only, guarded (h5region.ts: no other file opened, global heaps checked,
 * the runtime's prints captured) until close(). Every failure becomes an InspectorError.
 */
export async function openH5(file: string): Promise<{ f: H5.File; mod: H5Module; close(): void }> {
  const region = regionOf(file);
  const fileBytes = region ? region.size : checkRegularFile(file).size;
  if (!hasHdf5Signature(file)) throw new InspectorError('', 'not an HDF5 file (no HDF5 signature)');
  const mod = await h5wasm();
  // HDF5 opens the file by its absolute, resolved path: given a relative path or a symlink, the
  // read guard would otherwise take that for another file and refuse the model itself.
  if (!region) file = realPath(file);
  const g = guardOpen(file);
  const r: Reading = { what: 'its superblock and root group', fileBytes, declared: 0, packed: 0, objects: 0, refusal: g.refusal };
  reading = r;
  diagnostics.length = 0;
  capturing = true;
  let printed = '';
  captureOutput((t) => {
    if (printed.length < 64 * 1024) printed += t;
  });
  const end = (): void => {
    g.end();
    if (reading === r) reading = undefined;
    capturing = false;
    captureOutput(undefined);
  };
  r.printed = () => printed;
  let f: H5.File;
  try {
    f = new mod.File(file, 'r');
    if ((f as unknown as { file_id: bigint }).file_id < 0n) throw new Error('cannot open (invalid file id)');
  } catch (e) {
    const err = h5Failure(e);
    end();
    throw err;
  }
  const close = (): void => {
    try {
      f.close();
    } catch {
      /* a damaged file may not close cleanly: nothing more to do */
    } finally {
      end();
    }
  };
  return { f, mod, close };
}

function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/**
 * Any h5wasm failure as a problem in words: a refusal of the read guard as such; otherwise "the HDF5
 * file is damaged or truncated", what was being read, then HDF5's own words as details.
 */
export function h5Failure(e: unknown): InspectorError {
  if (e instanceof InspectorError) return e;
  const refused = reading?.refusal();
  if (refused) return new InspectorError('', refused);
  const message = e instanceof Error ? e.message : String(e);
  const aborted = /^(RuntimeError: )?Aborted\(|RuntimeError|unreachable|memory access out of bounds/i.test(message);
  const printed = reading?.printed?.() ?? '';
  const text = aborted && /HDF5-DIAG/.test(printed) ? printed : message;
  const stack = /Maximum call stack|call stack exhausted|too much recursion/i.test(message);
  const words = hdf5Words(text);
  const detail = stack
    ? 'its structure nests without end'
    : /address overflowed/i.test(words)
      ? 'its data lies beyond the end of the file'
      : aborted && !/HDF5-DIAG/.test(printed)
        ? 'the HDF5 library gave up on it'
        : `HDF5 reports: ${words}`;
  const what = reading?.what ?? 'it';
  const details = [message, printed, ...diagnostics].filter(Boolean).join('\n').slice(0, 4000);
  return new InspectorError('', `the HDF5 file is damaged or truncated (while reading ${what}: ${detail})`, details);
}

/**
 * HDF5's own description of a failure, in its words only: the innermost "minor:" line of an
 * HDF5-DIAG stack (e.g. "wrong version number", "file has been truncated"), without the library's
 * function names, paths and line numbers.
 */
export function hdf5Words(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const minor = [...lines].reverse().find((l) => /^minor:/.test(l))?.replace(/^minor:\s*/, '');
  const plain = minor ?? lines.find((l) => !/^HDF5-DIAG|^#\d+:|^major:/.test(l)) ?? 'an unknown error';
  const cleaned = plain
    .replace(/\bH5[A-Za-z0-9_]*\(\)\s*:?\s*/g, '')
    .replace(/\/[^\s]*\.c line \d+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return (cleaned || 'an unknown error').replace(/^[A-Z](?=[a-z])/, (c) => c.toLowerCase()).slice(0, 160);
}

/**
 * Refuses a dataset whose declared size is a lie before HDF5 allocates it: more values than
 * MAX_TENSOR_ELEMENTS, more bytes than the file holds when stored uncompressed, more than
 * MAX_WEIGHT_BYTES in all.
 */
export function checkDeclaredSize(ds: H5.Dataset): void {
  nowReading(`dataset ${ds.path}`);
  const m = ds.metadata;
  const shape = m.shape ?? [];
  if (shape.length > MAX_RANK) throw new InspectorError('', `dataset ${ds.path} has ${shape.length} dimensions (at most ${MAX_RANK})`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (count > MAX_TENSOR_ELEMENTS) {
    throw new InspectorError('', `dataset ${ds.path} declares shape (${shape.join(', ')}): ${count.toLocaleString('en-US')} values, more than the ${MAX_TENSOR_ELEMENTS.toLocaleString('en-US')} RNN Inspector reads for one weight`);
  }
  const bytes = count * (m.size || 1);
  let filtered = false;
  try {
    filtered = (ds.filters ?? []).length > 0;
  } catch {
    filtered = true;
  }
  const contiguous = !m.chunks && !filtered;
  if (reading && contiguous && bytes > reading.fileBytes) {
    throw new InspectorError('', `dataset ${ds.path} declares ${mib(bytes)} of uncompressed values (shape (${shape.join(', ')})) but the whole file is ${mib(reading.fileBytes)}: the file is damaged or lies about its shape`);
  }
  if (reading && !contiguous) {
    reading.packed += bytes;
    if (reading.packed > MAX_H5_EXPANSION * reading.fileBytes + 1024 * 1024) {
      throw new InspectorError('', `dataset ${ds.path} declares ${mib(bytes)} of chunked or compressed values (shape (${shape.join(', ')})), more than ${MAX_H5_EXPANSION} times the whole file (${mib(reading.fileBytes)}): the file is damaged or lies about its shape`);
    }
  }
  if (reading) {
    reading.declared += bytes;
    if (reading.declared > MAX_WEIGHT_BYTES) throw new InspectorError('', `the file declares more than ${mib(MAX_WEIGHT_BYTES)} of weights (at dataset ${ds.path}), more than RNN Inspector loads`);
  }
}

export function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  // h5wasm's throwing handler puts the whole HDF5-DIAG stack in the message: keep the most telling line.
  const lines = msg.split('\n').map((l) => l.trim()).filter(Boolean);
  const minor = [...lines].reverse().find((l) => /minor:/.test(l));
  const fn = [...lines].reverse().find((l) => /^#\d+:/.test(l));
  const head = (lines[0]?.startsWith('HDF5-DIAG') && fn ? fn.replace(/^#\d+:.* in (\w+)\(\).*$/, '$1()') : lines[0]) ?? 'unknown error';
  return (minor ? `${head} (${minor.replace(/^minor:\s*/, '')})` : head).slice(0, 300);
}

type HasAttrs = H5.Group | H5.Dataset;

/** Values in one attribute (Keras splits attributes into 64 KB parts: layer and weight name lists stay far below). */
export const MAX_ATTR_ELEMENTS = 1_000_000;
/** Bytes of one attribute as declared (element size × count). */
export const MAX_ATTR_BYTES = 64 * 1024 * 1024;
/** Parts of a split attribute (name0, name1, …). */
const MAX_ATTR_PARTS = 10_000;

/** One attribute's value, its declared size checked first (a lying dataspace must not allocate). */
function attrRead(obj: HasAttrs, name: string): unknown {
  const a = obj.attrs[name];
  const m = a.metadata as { shape?: number[] | null; size?: number };
  const count = (m.shape ?? []).reduce((x, y) => x * y, 1);
  if (count > MAX_ATTR_ELEMENTS || count * (m.size ?? 1) > MAX_ATTR_BYTES) {
    throw new InspectorError('', `attribute ${name} of ${obj.path} declares ${count.toLocaleString('en-US')} values (shape (${(m.shape ?? []).join(', ')})): far more than a Keras file holds, the file is damaged or lies`);
  }
  return a.value;
}

function attrNames(obj: HasAttrs): string[] {
  try {
    return Object.keys(obj.attrs);
  } catch {
    return [];
  }
}

/** The raw value of an attribute, or undefined. Keras splits attributes over 64 KB into name0, name1, …: joined here. */
export function attrValue(obj: HasAttrs, name: string): unknown {
  nowReading(`attribute ${name} of ${obj.path}`);
  const names = attrNames(obj);
  if (names.includes(name)) return attrRead(obj, name);
  if (!names.includes(`${name}0`)) return undefined;
  const parts: unknown[] = [];
  for (let i = 0; names.includes(`${name}${i}`) && i < MAX_ATTR_PARTS; i++) {
    const v = attrRead(obj, `${name}${i}`);
    if (Array.isArray(v)) parts.push(...v);
    else parts.push(v);
  }
  return parts.every((p) => typeof p === 'string') && parts.length > 0 && !Array.isArray(obj.attrs[`${name}0`].value)
    ? parts.join('')
    : parts;
}

const decoder = new TextDecoder();

function asString(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return decoder.decode(v).replace(/\0+$/, '');
  return undefined;
}

/** A scalar string attribute (fixed or variable length, bytes or str), or undefined. */
export function attrString(obj: HasAttrs, name: string): string | undefined {
  const v = attrValue(obj, name);
  if (Array.isArray(v) && v.length === 1) return asString(v[0]);
  return asString(v);
}

/**
 * A string-array attribute such as layer_names / weight_names. Weightless layers store an empty
 * float64 array (not a string array): that, and a missing attribute, give [].
 */
export function attrStrings(obj: HasAttrs, name: string): string[] {
  const v = attrValue(obj, name);
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.map((x) => asString(x) ?? String(x));
  return []; // typed array: the empty float64 array Keras writes for "no weights"
}

export function isGroup(mod: H5Module, o: unknown): o is H5.Group {
  if (o instanceof mod.ExternalLink) refuseExternal(o);
  return o instanceof mod.Group;
}

function refuseExternal(o: H5.ExternalLink): never {
  throw new InspectorError('', `the HDF5 file holds an external link to ${JSON.stringify(`${o.filename}:${o.obj_path}`)}: refused, RNN Inspector reads only the model's own file and nothing outside it`);
}

/** A member of a group (null when absent); an external link is refused, not followed. */
export function member(mod: H5Module, g: H5.Group, name: string): ReturnType<H5.Group['get']> {
  nowReading(`${g.path === '/' ? '' : g.path}/${name}`);
  visit(g.path);
  let o: ReturnType<H5.Group['get']>;
  try {
    o = g.get(name);
  } catch (e) {
    throw h5Failure(e);
  }
  if (o instanceof mod.ExternalLink) refuseExternal(o);
  return o;
}
export function isDataset(mod: H5Module, o: unknown): o is H5.Dataset {
  if (o instanceof mod.ExternalLink) refuseExternal(o);
  return o instanceof mod.Dataset;
}

/** NumPy-style dtype name of a dataset. */
export function datasetDtype(ds: H5.Dataset): string {
  const m = ds.metadata;
  if (m.type === 1) return m.size === 2 ? 'float16' : m.size === 4 ? 'float32' : m.size === 8 ? 'float64' : `float${m.size * 8}`;
  if (m.type === 0) return `${m.signed ? 'int' : 'uint'}${m.size * 8}`;
  return 'unknown';
}

/** Reads a numeric dataset as float32/float64 values in C order. */
export function readFloats(ds: H5.Dataset): Float32Array | Float64Array {
  const m = ds.metadata;
  checkDeclaredSize(ds);
  let v: unknown;
  try {
    v = ds.value;
  } catch (e) {
    throw h5Failure(e);
  }
  if (attrString(ds, 'dtype') === 'bfloat16' && ArrayBuffer.isView(v)) return decodeBfloat16(v as unknown as ArrayLike<number>);
  if (v instanceof Float32Array || v instanceof Float64Array) return v;
  if (m.type === 1 && m.size === 2 && v instanceof Uint8Array) return decodeFloat16(v, m.littleEndian);
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const arr = v as unknown as ArrayLike<number | bigint>;
    const out = new Float64Array(arr.length);
    for (let i = 0; i < arr.length; i++) out[i] = Number(arr[i]);
    return out;
  }
  if (typeof v === 'number') return Float64Array.of(v);
  throw new InspectorError('', `dataset ${ds.path} is not numeric (${datasetDtype(ds)})`);
}
