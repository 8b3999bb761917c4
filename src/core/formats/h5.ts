/**
 * A thin, safe layer over h5wasm's Node build: loading (with the two known traps handled), opening
 * a file read-only from disk (no copy into memory), and reading Keras's attributes and datasets.
 */
import type * as H5 from 'h5wasm/node' with { 'resolution-mode': 'import' };
import * as fs from 'node:fs';
import { InspectorError } from '../model';
import { installRegions } from './h5region';
import { hasHdf5Signature } from '../detect';
import { decodeBfloat16, decodeFloat16 } from '../dtypes';

type H5Module = typeof H5;
let loading: Promise<H5Module> | undefined;

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
    try {
      const mod = (await import('h5wasm/node')) as H5Module;
      const Module = (await mod.ready) as unknown as { activate_throwing_error_handler?: () => void };
      Module.activate_throwing_error_handler?.();
      installRegions((mod as unknown as { FS: Parameters<typeof installRegions>[0] }).FS);
      return mod;
    } finally {
      if (hide && desc) Object.defineProperty(globalThis, 'navigator', desc);
    }
  })();
  return loading;
}

export type H5File = H5.File;
export type H5Group = H5.Group;
export type H5Dataset = H5.Dataset;

/** Opens an HDF5 file read-only; every failure becomes an InspectorError naming the file. */
export async function openH5(file: string): Promise<{ f: H5.File; mod: H5Module }> {
  if (!hasHdf5Signature(file)) throw new InspectorError('', 'not an HDF5 file (no HDF5 signature)');
  const mod = await h5wasm();
  let f: H5.File;
  try {
    f = new mod.File(file, 'r');
  } catch (e) {
    throw new InspectorError('', `cannot open as HDF5: ${firstLine(e)} (the file may be truncated or corrupt)`);
  }
  if ((f as unknown as { file_id: bigint }).file_id < 0n) {
    throw new InspectorError('', 'cannot open as HDF5 (the file may be truncated or corrupt)');
  }
  return { f, mod };
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

function attrNames(obj: HasAttrs): string[] {
  try {
    return Object.keys(obj.attrs);
  } catch {
    return [];
  }
}

/** The raw value of an attribute, or undefined. Keras splits attributes over 64 KB into name0, name1, …: joined here. */
export function attrValue(obj: HasAttrs, name: string): unknown {
  const names = attrNames(obj);
  if (names.includes(name)) return obj.attrs[name].value;
  if (!names.includes(`${name}0`)) return undefined;
  const parts: unknown[] = [];
  for (let i = 0; names.includes(`${name}${i}`); i++) {
    const v = obj.attrs[`${name}${i}`].value;
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
  return o instanceof mod.Group;
}
export function isDataset(mod: H5Module, o: unknown): o is H5.Dataset {
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
  let v: unknown;
  try {
    v = ds.value;
  } catch (e) {
    throw new InspectorError('', `cannot read dataset ${ds.path}: ${firstLine(e)}`);
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
