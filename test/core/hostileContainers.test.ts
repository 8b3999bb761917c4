/**
 * Hostile containers and file-system inputs (issue 9): special files (FIFOs, devices, folders),
 * TF.js manifests that lie or point outside the model's folder, HDF5 files with corrupt global
 * heaps, external links, hard-link cycles and lying dataset sizes, .keras zip bombs and odd entries,
 * lying .npy / .npz files. Every input is built here, in a private temporary folder, and each must
 * end within a bound in one clear problem naming the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { openModel } from '../../src/core/formats';
import { InspectorError } from '../../src/core/model';
import { loadArrays } from '../../src/core/arrays';
import { openNpyStream } from '../../src/core/arrays/npyStream';
import { h5wasm } from '../../src/core/formats/h5';
import { guardOpen } from '../../src/core/formats/h5region';
import { MAX_JSON_BYTES } from '../../src/core/files';
import { fixture } from './paths';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-inspector-hostile-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
let n = 0;
/** A fresh folder for one case. */
const folder = (): string => {
  const d = path.join(tmp, `case${++n}`);
  fs.mkdirSync(d);
  return d;
};
const write = (dir: string, name: string, bytes: Uint8Array | string): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, bytes);
  return p;
};
const mkfifo = (p: string): boolean => {
  try {
    execFileSync('mkfifo', [p]);
    return true;
  } catch {
    return false;
  }
};

/** Runs `f` and expects one InspectorError naming `file`, its problem matching `problem`, within `ms`. */
async function refuses(f: () => Promise<unknown> | unknown, file: string | RegExp, problem: RegExp, ms = 10_000): Promise<InspectorError> {
  const t0 = Date.now();
  let caught: unknown;
  try {
    await f();
  } catch (e) {
    caught = e;
  }
  const took = Date.now() - t0;
  assert.ok(caught instanceof InspectorError, `expected an InspectorError, got ${caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught)}`);
  const e = caught as InspectorError;
  if (typeof file === 'string') assert.equal(e.file, file);
  else assert.match(e.file, file);
  assert.match(e.problem, problem);
  assert.doesNotMatch(e.problem, /Cannot read properties|is not a function|Invalid typed array|Maximum call stack|ENOENT|EISDIR|EACCES|HDF5-DIAG|Aborted\(|\bH5[A-Z][A-Za-z0-9_]*\(\)|offset is out of bounds/);
  assert.ok(took < ms, `took ${took} ms (bound ${ms})`);
  return e;
}

const NOT_REGULAR = /is not a regular file \((a device|a FIFO \(named pipe\)|a folder|a socket)\); RNN Inspector reads only regular files/;

// ---------------------------------------------------------------------------------------------
// 1. Only regular files are read

test('a device as the model file (/dev/zero, /dev/urandom) is refused before reading', async (t) => {
  for (const dev of ['/dev/zero', '/dev/urandom']) {
    if (!fs.existsSync(dev)) return t.skip('no /dev/zero on this system');
    await refuses(() => openModel(dev), dev, /not a regular file \(a device\); RNN Inspector reads only regular files/, 2000);
  }
});

test('a FIFO as the model file is refused without blocking on open', async (t) => {
  const d = folder();
  const p = path.join(d, 'model.h5');
  if (!mkfifo(p)) return t.skip('mkfifo not available');
  await refuses(() => openModel(p), p, /not a regular file \(a FIFO \(named pipe\)\)/, 2000);
});

test('--inputs /dev/zero, a FIFO, a folder: refused before reading, naming the file', async (t) => {
  if (fs.existsSync('/dev/zero')) {
    await refuses(() => loadArrays('/dev/zero'), '/dev/zero', NOT_REGULAR, 2000);
    await refuses(() => openNpyStream('/dev/zero'), '/dev/zero', NOT_REGULAR, 2000);
  }
  const d = folder();
  await refuses(() => loadArrays(d), d, /not a regular file \(a folder\)/, 2000);
  const fifo = path.join(d, 'X.npy');
  if (!mkfifo(fifo)) return t.skip('mkfifo not available');
  await refuses(() => loadArrays(fifo), fifo, /not a regular file \(a FIFO/, 2000);
  await refuses(() => openNpyStream(fifo), fifo, /not a regular file \(a FIFO/, 2000);
});

test('--config that is a device, a FIFO or missing: named as the config file, not as a damaged model', async (t) => {
  const weights = fixture('keras', 'lstm', 'model.h5');
  if (fs.existsSync('/dev/zero')) await refuses(() => openModel(weightsOnly(), { configPath: '/dev/zero' }), /./, /not a regular file \(a device\)/, 5000);
  const d = folder();
  const missing = path.join(d, 'nope.json');
  await refuses(() => openModel(weightsOnly(), { configPath: missing }), /./, /not found/, 5000);
  const fifo = path.join(d, 'arch.json');
  if (!mkfifo(fifo)) return t.skip('mkfifo not available');
  await refuses(() => openModel(weightsOnly(), { configPath: fifo }), /./, /not a regular file \(a FIFO/, 5000);
  void weights;
});

/** A weights-only .weights.h5 (Keras 3 weight store) copied into its own folder. */
function weightsOnly(): string {
  const src = fixture('keras', 'lstm', 'model.keras');
  const d = folder();
  // The .keras archive stores model.weights.h5: take it out as a weights-only file.
  const { unzipSync } = require('fflate') as typeof import('fflate');
  const files = unzipSync(fs.readFileSync(src));
  return write(d, 'model.weights.h5', files['model.weights.h5']);
}

test(`a JSON model larger than MAX_JSON_BYTES is refused before it is read`, async () => {
  const d = folder();
  const p = path.join(d, 'big.json');
  const fd = fs.openSync(p, 'w');
  fs.writeSync(fd, '{"a": [');
  fs.ftruncateSync(fd, MAX_JSON_BYTES + 10); // sparse: no disk used
  fs.closeSync(fd);
  const before = process.memoryUsage().rss;
  await refuses(() => openModel(p), p, /more than the 256 MB RNN Inspector reads for a JSON file/, 2000);
  assert.ok(process.memoryUsage().rss - before < 100 * 1024 * 1024, 'nothing the size of the file was allocated');
});

// ---------------------------------------------------------------------------------------------
// 2. TF.js manifests

const TFJS = fixture('json', 'tfjs_seed_n15');

/** A copy of the TF.js fixture whose manifest is `patch`ed; returns the model.json path. */
function tfjs(patch: (m: any, dir: string) => void): string {
  const d = folder();
  for (const f of fs.readdirSync(TFJS)) fs.copyFileSync(path.join(TFJS, f), path.join(d, f));
  const mj = path.join(d, 'model.json');
  const m = JSON.parse(fs.readFileSync(mj, 'utf8'));
  patch(m, d);
  fs.writeFileSync(mj, JSON.stringify(m));
  return mj;
}

test('TF.js: the fixture itself opens with its weights (the baseline of the cases below)', async () => {
  const m = await openModel(tfjs(() => {}));
  assert.ok(m.layers.some((l) => l.weights.length && l.weights.every((w) => w.data && w.data.length)));
});

test('TF.js: shard paths outside the model folder (../, absolute, a symlink out) are refused, saying why', async () => {
  const outside = write(folder(), 'secret.bin', new Uint8Array(228));
  const esc = tfjs((m) => (m.weightsManifest[0].paths = [`../${path.basename(path.dirname(outside))}/secret.bin`]));
  await refuses(() => openModel(esc), esc, /climbs out of the model's folder \(".."\): RNN Inspector reads only files inside the model's folder/);
  const abs = tfjs((m) => (m.weightsManifest[0].paths = [outside]));
  await refuses(() => openModel(abs), abs, /is an absolute path: RNN Inspector reads only files inside the model's folder/);
  const dev = tfjs((m) => (m.weightsManifest[0].paths = ['/dev/zero']));
  await refuses(() => openModel(dev), dev, /is an absolute path/, 2000);
  const link = tfjs((m, d) => {
    fs.symlinkSync(outside, path.join(d, 'shard.bin'));
    m.weightsManifest[0].paths = ['shard.bin'];
  });
  await refuses(() => openModel(link), link, /is a link to a file outside the model's folder/);
});

test('TF.js: a shard that is a FIFO or a device link is refused without blocking', async (t) => {
  const fifo = tfjs((m, d) => {
    m.weightsManifest[0].paths = ['fifo.bin'];
    if (!mkfifo(path.join(d, 'fifo.bin'))) t.skip('mkfifo not available');
  });
  if (fs.existsSync(path.join(path.dirname(fifo), 'fifo.bin'))) await refuses(() => openModel(fifo), fifo, /weight shard "fifo.bin" is not a regular file \(a FIFO/, 2000);
});

test('TF.js: the same shard listed many times is refused before reading it even once more', async () => {
  const mj = tfjs((m) => (m.weightsManifest[0].paths = Array(3000).fill(m.weightsManifest[0].paths[0])));
  await refuses(() => openModel(mj), mj, /is listed more than once in the manifest/, 3000);
  const alias = tfjs((m) => (m.weightsManifest[0].paths = [m.weightsManifest[0].paths[0], `./${m.weightsManifest[0].paths[0]}`]));
  await refuses(() => openModel(alias), alias, /listed more than once in the manifest \(also as/);
});

test('TF.js: paths missing, empty, not a list, not strings → a clear problem each', async () => {
  const cases: [(g: any) => void, RegExp][] = [
    [(g) => delete g.paths, /has no "paths"/],
    [(g) => (g.paths = []), /no shard files \("paths" is empty\)/],
    [(g) => (g.paths = 'group1-shard1of1.bin'), /"paths" is not a list of shard file names/],
    [(g) => (g.paths = [7]), /"paths" holds 7, not a shard file name/],
    [(g) => (g.paths = [null]), /"paths" holds null/],
  ];
  for (const [patch, problem] of cases) {
    const mj = tfjs((m) => patch(m.weightsManifest[0]));
    await refuses(() => openModel(mj), mj, problem);
    await refuses(() => openModel(mj, { weights: false }), mj, problem);
  }
  const notList = tfjs((m) => (m.weightsManifest = { paths: [] }));
  await refuses(() => openModel(notList), notList, /weightsManifest is not a list/);
});

test('TF.js: lying dtypes and shapes ([-1,5], [2.5,2], [0,5], 10^9 values) are refused before allocating', async () => {
  const cases: [unknown, RegExp][] = [
    [[-1, 5], /holds -1, not a whole number/],
    [[2.5, 2], /holds 2.5, not a whole number/],
    [[0, 5], /has a zero dimension/],
    [['3', 5], /holds "3", not a whole number/],
    [[1e9], /declares more than 536,870,912 values/],
    [[100000, 100000], /declares more than/],
    ['5', /is not a list of dimensions/],
  ];
  for (const [shape, problem] of cases) {
    const mj = tfjs((m) => (m.weightsManifest[0].weights[0].shape = shape));
    await refuses(() => openModel(mj), mj, problem, 3000);
  }
  const dtype = tfjs((m) => (m.weightsManifest[0].weights[0].dtype = 'complex64'));
  await refuses(() => openModel(dtype), dtype, /dtype "complex64" .* is not supported/);
  const objDtype = tfjs((m) => (m.weightsManifest[0].weights[0].dtype = { evil: 1 }));
  await refuses(() => openModel(objDtype), objDtype, /dtype \{"evil":1\}/);
});

test('TF.js: shards shorter or longer than the manifest declares are refused before reading', async () => {
  const short = tfjs((m, d) => fs.truncateSync(path.join(d, m.weightsManifest[0].paths[0]), 100));
  await refuses(() => openModel(short), short, /weight shards hold 100 bytes but the manifest needs 228/);
  const long = tfjs((m, d) => fs.appendFileSync(path.join(d, m.weightsManifest[0].paths[0]), Buffer.alloc(4096)));
  await refuses(() => openModel(long), long, /weight shards hold 4324 bytes but the manifest declares 228/);
});

// ---------------------------------------------------------------------------------------------
// 3. HDF5

const LSTM_H5 = fixture('keras', 'lstm', 'model.h5');

test('HDF5: zeroed bytes inside a global heap (HDF5 used to loop forever) end in a clear problem', async () => {
  const bytes = fs.readFileSync(LSTM_H5);
  const gcol = bytes.indexOf('GCOL');
  assert.ok(gcol > 0, 'the fixture stores its strings in a global heap');
  const d = folder();
  for (const at of [gcol + 2048, gcol + 2560]) {
    const b = Buffer.from(bytes);
    b.fill(0, at, at + 512);
    const p = write(d, `zero${at}.h5`, b);
    await refuses(() => openModel(p), p, /the HDF5 file is damaged: its global heap at byte \d+ .* is corrupt, an object of size 0/, 10_000);
  }
  // And a good file opens afterwards in the same process.
  const m = await openModel(LSTM_H5);
  assert.ok(m.layers.length > 0);
});

test('HDF5: what the library prints (HDF5-DIAG, Aborted(…)) stays out of the terminal and the headline', async () => {
  const bytes = fs.readFileSync(LSTM_H5);
  const gcol = bytes.indexOf('GCOL');
  const d = folder();
  const printed: string[] = [];
  const { error, log } = console;
  const write0 = process.stderr.write;
  const out0 = process.stdout.write;
  console.error = (...a: unknown[]) => void printed.push(a.join(' '));
  console.log = (...a: unknown[]) => void printed.push(a.join(' '));
  process.stderr.write = ((c: string | Uint8Array) => (printed.push(String(c)), true)) as typeof process.stderr.write;
  try {
    for (const at of [gcol, gcol + 2048, 512, 6144]) {
      const b = Buffer.from(bytes);
      b.fill(0, at, at + 512);
      const p = write(d, `z${at}.h5`, b);
      await refuses(() => openModel(p), p, /damaged|truncated|not an HDF5|unsupported file/);
    }
  } finally {
    console.error = error;
    console.log = log;
    process.stderr.write = write0;
    process.stdout.write = out0;
  }
  const hdf5 = printed.filter((l) => /HDF5-DIAG|Aborted\(|#0\d\d:/.test(l));
  assert.deepEqual(hdf5, [], 'nothing from the HDF5 library reaches the terminal');
});

test('HDF5: truncated or zeroed anywhere: "damaged or truncated", what was being read, HDF5\'s words without its internals', async () => {
  const bytes = fs.readFileSync(LSTM_H5);
  const d = folder();
  let damaged = 0;
  for (let at = 0; at < bytes.length; at += 1536) {
    const cut = write(d, `cut${at}.h5`, bytes.subarray(0, Math.max(at, 8)));
    await refuses(() => openModel(cut), cut, /damaged or truncated \(while reading [^:]+: |not an HDF5|unsupported file|not valid JSON|no such (group|dataset)/, 10_000);
    const z = Buffer.from(bytes);
    z.fill(0, at, Math.min(at + 256, z.length));
    const p = write(d, `z${at}.h5`, z);
    try {
      await openModel(p);
    } catch (e) {
      assert.ok(e instanceof InspectorError, String(e));
      assert.equal(e.file, p);
      assert.doesNotMatch(e.problem, /\bH5[A-Z][A-Za-z0-9_]*\(\)|HDF5-DIAG|Aborted\(|Cannot read properties/);
      if (/damaged or truncated/.test(e.problem)) damaged++;
    }
  }
  assert.ok(damaged > 3, `${damaged} zeroed copies reported as damaged`);
  const p = await h5file(path.join(d, 'nullcfg.h5'), (f) => f.create_attribute('model_config', 'null'));
  await refuses(() => openModel(p), p, /the model_config attribute is not a Keras model config \(it holds null\)/);
});

/** Writes an HDF5 file with h5wasm (the same instance the readers use). */
async function h5file(p: string, build: (f: any) => void, libver?: unknown): Promise<string> {
  const h5 = await h5wasm();
  const f = libver ? new h5.File(p, 'w', { libver } as never) : new h5.File(p, 'w');
  try {
    build(f);
  } finally {
    f.close();
  }
  return p;
}

/** A minimal Keras 3 weight store: layers/dense/vars/{0,1}. */
function store(f: any): any {
  const layers = f.create_group('layers');
  const dense = layers.create_group('dense');
  const vars = dense.create_group('vars');
  vars.create_dataset({ name: '0', data: new Float32Array(6), shape: [3, 2], dtype: '<f' });
  vars.create_dataset({ name: '1', data: new Float32Array(2), shape: [2], dtype: '<f' });
  return dense;
}

test('HDF5: an external link in a weight store is refused, not followed', async () => {
  const d = folder();
  const other = await h5file(path.join(folder(), 'other.h5'), (f) => store(f));
  const p = await h5file(path.join(d, 'ext.weights.h5'), (f) => {
    const dense = store(f);
    dense.create_external_link(other, '/layers/dense', 'cell');
  });
  await refuses(() => openModel(p), p, /external link to .*other\.h5.*: refused, RNN Inspector reads only the model's own file/);
  const top = await h5file(path.join(d, 'exttop.weights.h5'), (f) => f.create_external_link(other, '/layers', 'layers'));
  await refuses(() => openModel(top), top, /external link/);
});

test('HDF5: while a model is read, h5wasm may open that file only (external storage, external links, VDS)', async () => {
  const h5 = await h5wasm();
  const model = await h5file(path.join(folder(), 'a.h5'), (f) => store(f));
  const other = await h5file(path.join(folder(), 'b.h5'), (f) => store(f));
  const g = guardOpen(model);
  try {
    assert.throws(() => new h5.File(other, 'r'));
    assert.match(g.refusal() ?? '', /refers to another file, ".*b\.h5".*refused, RNN Inspector reads only the model's own file/);
  } finally {
    g.end();
  }
  const f = new h5.File(other, 'r'); // the guard is gone with its read
  f.close();
});

test('HDF5: the guard lets the model itself be opened by a relative path (HDF5 reopens it by its absolute name)', async () => {
  // lstm_stacked/model.h5 (optimizer state, Keras 2 layout) makes HDF5 open the file again by its absolute path.
  const abs = fixture('keras/lstm_stacked/model.h5');
  const rel = path.relative(process.cwd(), abs);
  assert.ok(!path.isAbsolute(rel));
  const m = await openModel(rel);
  assert.equal(m.source.path, rel);
  assert.ok(m.layers.some((l) => l.weights.length > 0));
});

test('HDF5: a hard-link cycle in a Keras 3 weight store ends in a clear problem, within a bound', async () => {
  const d = folder();
  const p = await h5file(path.join(d, 'cycle.weights.h5'), (f) => {
    store(f);
    f.create_hard_link('/layers/dense', '/layers/dense/cell');
    f.create_hard_link('/layers/dense', '/layers/dense/layer');
  });
  await refuses(() => openModel(p), p, /nests groups more than 32 deep|more than 200,000 groups and datasets.*link cycle/, 20_000);
  await refuses(() => openModel(p, { weights: false }), p, /link cycle/, 20_000);
});

/** A weight store whose one dataset (1013, 3) is patched to declare (rows, 3); version 1 object headers carry no checksum to fix. */
async function lyingStore(name: string, rows: bigint, chunked: boolean): Promise<string> {
  const d = folder();
  const p = await h5file(path.join(d, name), (f) => {
    const vars = f.create_group('layers').create_group('dense').create_group('vars');
    vars.create_dataset({ name: '0', data: new Float32Array(1013 * 3), shape: [1013, 3], dtype: '<f', ...(chunked ? { chunks: [1013, 3], compression: 'gzip' } : {}) });
  }, ['earliest', 'v108']);
  // Patch the dataspace: dims (1013, 3) → (89478485, 3): 1 GiB of float32 in a file of a few KB.
  const b = fs.readFileSync(p);
  const dims = Buffer.alloc(16);
  dims.writeBigUInt64LE(1013n, 0);
  dims.writeBigUInt64LE(3n, 8);
  let patched = 0;
  for (let i = b.indexOf(dims); i >= 0; i = b.indexOf(dims, i + 1)) {
    b.writeBigUInt64LE(rows, i);
    patched++;
  }
  assert.ok(patched >= 1, 'found the dataspace');
  fs.writeFileSync(p, b);
  return p;
}

test('HDF5: a small file declaring a 480 MB dataset is refused before allocating it (contiguous or chunked)', async () => {
  const rows = 40_000_000n; // × 3 float32 = 480 MB, under the per-weight limit
  const contiguous = await lyingStore('contig.weights.h5', rows, false);
  const chunked = await lyingStore('chunked.weights.h5', rows, true);
  const before = process.memoryUsage().rss;
  await refuses(() => openModel(contiguous), contiguous, /its data lies beyond the end of the file|declares 458 MB of uncompressed values .* but the whole file is/, 5000);
  await refuses(() => openModel(chunked), chunked, /declares 458 MB of chunked or compressed values \(shape \(40000000, 3\)\), more than 1000 times the whole file/, 5000);
  assert.ok(process.memoryUsage().rss - before < 200 * 1024 * 1024, 'the declared size was not allocated');
  // Above the per-weight limit, the shape alone is refused (summary too, which reads no values).
  const huge = await lyingStore('huge.weights.h5', 1n << 40n, true);
  await refuses(() => openModel(huge, { weights: false }), huge, /declares shape \(1099511627776, 3\).*more than the 536,870,912 RNN Inspector reads for one weight/, 5000);
});



// ---------------------------------------------------------------------------------------------
// 4. .keras zips (and 5. .npz, which are zips too)

import { deflateSync, unzipSync } from 'fflate';
import { closeZip, crc32, inflateEntryTo, openZip } from '../../src/core/formats/zip';
import { MAX_INFLATE_IN_MEMORY } from '../../src/core/formats/kerasV3';
import { parseNpz } from '../../src/core/arrays/npz';
import { MAX_ARRAY_FILE_BYTES } from '../../src/core/files';

interface RawEntry {
  name: string;
  /** Uncompressed bytes (stored or deflated here), unless `raw` gives the compressed bytes. */
  data?: Uint8Array;
  deflate?: boolean;
  raw?: Uint8Array;
  /** Declared uncompressed size / CRC (default: the true ones). */
  size?: number;
  crc?: number;
}

/** A zip archive built byte by byte, so that sizes, names and CRCs can lie. */
function zipOf(entries: RawEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const data = e.data ?? new Uint8Array(0);
    const body = e.raw ?? (e.deflate ? deflateSync(data) : data);
    const method = e.raw || e.deflate ? 8 : 0;
    const size = e.size ?? data.length;
    const crc = e.crc ?? crc32(data);
    const name = Buffer.from(e.name, 'utf8');
    const lh = Buffer.alloc(30);
    lh.writeUInt32LE(0x04034b50, 0);
    lh.writeUInt16LE(20, 4);
    lh.writeUInt16LE(method, 8);
    lh.writeUInt32LE(crc >>> 0, 14);
    lh.writeUInt32LE(body.length, 18);
    lh.writeUInt32LE(size >>> 0, 22);
    lh.writeUInt16LE(name.length, 26);
    const ch = Buffer.alloc(46);
    ch.writeUInt32LE(0x02014b50, 0);
    ch.writeUInt16LE(20, 4);
    ch.writeUInt16LE(20, 6);
    ch.writeUInt16LE(method, 10);
    ch.writeUInt32LE(crc >>> 0, 16);
    ch.writeUInt32LE(body.length, 20);
    ch.writeUInt32LE(size >>> 0, 24);
    ch.writeUInt16LE(name.length, 28);
    ch.writeUInt32LE(offset, 42);
    locals.push(lh, name, Buffer.from(body));
    centrals.push(ch, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(entries.length, 8);
  eocd.writeUInt16LE(entries.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

const KERAS = fixture('keras', 'lstm', 'model.keras');
const kerasParts = (): Record<string, Uint8Array> => unzipSync(fs.readFileSync(KERAS));

/** Runs `f` with os.tmpdir() pointing at a fresh folder; returns what is left in it afterwards. */
async function leftovers(f: () => Promise<unknown>): Promise<string[]> {
  const t = fs.mkdtempSync(path.join(tmp, 'tmpdir-'));
  const saved = process.env.TMPDIR;
  process.env.TMPDIR = t;
  try {
    await f().catch(() => undefined);
  } finally {
    if (saved === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = saved;
  }
  return fs.readdirSync(t);
}

test('.keras: the archive rebuilt byte by byte opens (the baseline), a deflated weights file leaves no temporary file', async () => {
  const parts = kerasParts();
  const d = folder();
  const stored = write(d, 'stored.keras', zipOf(Object.entries(parts).map(([name, data]) => ({ name, data }))));
  assert.ok((await openModel(stored)).layers.length > 0);
  const deflated = write(d, 'deflated.keras', zipOf(Object.entries(parts).map(([name, data]) => ({ name, data, deflate: true }))));
  let layers = 0;
  assert.deepEqual(await leftovers(async () => (layers = (await openModel(deflated)).layers.length)), []);
  assert.ok(layers > 0);
});

test('.keras: a deflated model.weights.h5 above MAX_INFLATE_IN_MEMORY goes to a private temporary file, inflated 64 KB at a time', async () => {
  const d = folder();
  const data = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 2654435761) >>> 24);
  const p = write(d, 'big.zip', zipOf([{ name: 'model.weights.h5', data, deflate: true }]));
  const z = openZip(p);
  const dest = path.join(fs.mkdtempSync(path.join(tmp, 'inflate-')), 'model.weights.h5');
  try {
    inflateEntryTo(z, 'model.weights.h5', dest);
  } finally {
    closeZip(z);
  }
  assert.ok(Buffer.from(data).equals(fs.readFileSync(dest)));
  assert.equal(fs.statSync(dest).mode & 0o777, 0o600, 'readable by the user only');
  assert.ok(MAX_INFLATE_IN_MEMORY >= 64 * 1024 * 1024);
});

test('.keras: not a zip, truncated anywhere: one clear problem each, quickly', async () => {
  const d = folder();
  const bytes = fs.readFileSync(KERAS);
  const junk = write(d, 'junk.keras', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 7)]));
  await refuses(() => openModel(junk), junk, /not a readable \.keras archive: no zip end-of-central-directory record/);
  for (const cut of [10, 100, 1000, Math.floor(bytes.length / 2), bytes.length - 30, bytes.length - 1]) {
    const p = write(d, `cut${cut}.keras`, bytes.subarray(0, cut));
    await refuses(() => openModel(p), p, /truncated|corrupt|not a readable|damaged|unsupported file/, 5000);
  }
});

test('.keras: a zip bomb is refused from its declared sizes before inflating, and inflation stops at the declared size', async () => {
  const parts = kerasParts();
  const d = folder();
  const zeros = new Uint8Array(16 * 1024 * 1024);
  const packed = deflateSync(zeros); // ~16 KB
  // model.weights.h5 declaring 2 GiB from 16 KB.
  const bomb = write(d, 'bomb.keras', zipOf([{ name: 'config.json', data: parts['config.json'] }, { name: 'model.weights.h5', raw: packed, size: 0xfffffff0, crc: 0 }]));
  await refuses(() => openModel(bomb), bomb, /refused as a possible zip bomb/, 2000);
  // Declaring 100 MB from 16 KB: under the generic ratio? no: refused by the weights ratio.
  const big = write(d, 'big.keras', zipOf([{ name: 'config.json', data: parts['config.json'] }, { name: 'model.weights.h5', raw: packed, size: 100 * 1024 * 1024 - 1, crc: 0 }]));
  await refuses(() => openModel(big), big, /zip bomb/, 2000);
  // A lie the other way: declares 1000 bytes, inflates to 16 MB. Stops as soon as it passes 1000.
  const before = process.memoryUsage().rss;
  const liar = write(d, 'liar.keras', zipOf([{ name: 'config.json', data: parts['config.json'] }, { name: 'model.weights.h5', raw: packed, size: 1000, crc: 0 }]));
  const left = await leftovers(() => refuses(() => openModel(liar), liar, /inflates to more than its declared 1000 bytes/, 3000));
  assert.deepEqual(left, [], 'the private temporary folder is removed on the error path too');
  const cfg = write(d, 'cfg.keras', zipOf([{ name: 'config.json', raw: packed, size: 1000, crc: 0 }]));
  await refuses(() => openModel(cfg), cfg, /entry config\.json inflates to more than its declared 1000 bytes/, 3000);
  assert.ok(process.memoryUsage().rss - before < 100 * 1024 * 1024);
});

test('.keras: "../" and absolute entry names are never used; duplicated entries are refused; missing parts said', async () => {
  const parts = kerasParts();
  const d = folder();
  const evil = write(d, 'evil.keras', zipOf([...Object.entries(parts).map(([name, data]) => ({ name, data })), { name: '../../evil.txt', data: Buffer.from('x') }, { name: '/etc/evil', data: Buffer.from('x') }]));
  const m = await openModel(evil);
  assert.ok(m.notes.some((n) => /ignored 2 archive entries with a name outside the archive .*"\.\.\/\.\.\/evil\.txt"/.test(n)), m.notes.join('\n'));
  assert.ok(!fs.existsSync(path.join(d, '..', '..', 'evil.txt')));
  const dup = write(d, 'dup.keras', zipOf([{ name: 'config.json', data: parts['config.json'] }, { name: 'config.json', data: Buffer.from('{"class_name": "Other"}') }, { name: 'model.weights.h5', data: parts['model.weights.h5'] }]));
  await refuses(() => openModel(dup), dup, /holds config\.json more than once: which copy is the model is ambiguous/);
  const noCfg = write(d, 'nocfg.keras', zipOf([{ name: 'model.weights.h5', data: parts['model.weights.h5'] }]));
  await refuses(() => openModel(noCfg), noCfg, /without config\.json: not a Keras 3 \.keras file/);
  const noWeights = write(d, 'noweights.keras', zipOf([{ name: 'config.json', data: parts['config.json'] }]));
  const nw = await openModel(noWeights);
  assert.ok(nw.notes.some((n) => /no model\.weights\.h5/.test(n)) && !nw.hasWeights);
  const nullCfg = write(d, 'nullcfg.keras', zipOf([{ name: 'config.json', data: Buffer.from('null') }]));
  await refuses(() => openModel(nullCfg), nullCfg, /config\.json inside the archive is not a Keras model config/);
});

// 5. .npy / .npz

/** A .npy v1.0 file with the given header dict text and data bytes. */
function npy(header: string, data: Uint8Array = new Uint8Array(0)): Buffer {
  const h = Buffer.from(header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11, ' ') + '\n', 'latin1');
  const pre = Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, h.length & 0xff, h.length >> 8]);
  return Buffer.concat([pre, h, Buffer.from(data)]);
}

test('.npy: lying headers, object dtype (never unpickled), huge shapes, truncation: clear problems', async () => {
  const d = folder();
  const cases: [Buffer, RegExp][] = [
    [npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1000, 1000), }", new Uint8Array(8)), /needs 8000000 bytes of data but only 8 follow the header/],
    [npy("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", Buffer.from('\x80\x04cos\nsystem\n')), /unsupported dtype '\|O': Python objects .*only numeric and bool arrays can be read/],
    [npy(`{'descr': '<f4', 'fortran_order': False, 'shape': (${'9'.repeat(400)},), }`), /beyond any real array/],
    [npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }"), /needs .* bytes of data but only 0 follow/],
    [npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-3,), }"), /bad dimension '-3'/],
    [npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }").subarray(0, 40), /truncated \.npy file: the header is incomplete/],
  ];
  for (const [i, [bytes, problem]] of cases.entries()) {
    const p = write(d, `case${i}.npy`, bytes);
    await refuses(() => loadArrays(p), p, problem, 2000);
  }
  // Fortran order is read (transposed into C order), never misread.
  const f = write(d, 'fortran.npy', npy("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", new Uint8Array(new Float64Array([1, 4, 2, 5, 3, 6]).buffer)));
  const [a] = await loadArrays(f);
  assert.deepEqual(Array.from(a.array.data), [1, 2, 3, 4, 5, 6]);
});

test('.npz: bombs refused from declared sizes, lies stopped at the declared size, odd names refused', async () => {
  const d = folder();
  const x = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", new Uint8Array(16));
  const zeros = deflateSync(new Uint8Array(16 * 1024 * 1024));
  const before = process.memoryUsage().rss;
  const bomb = write(d, 'bomb.npz', zipOf([{ name: 'X.npy', raw: zeros, size: 0xfffffff0, crc: 0 }]));
  await refuses(() => loadArrays(bomb), bomb, /zip bomb|more than the 1024 MB/, 2000);
  const many = write(d, 'many.npz', zipOf(Array.from({ length: 130 }, (_, i) => ({ name: `a${i}.npy`, raw: zeros, size: 10 * 1024 * 1024, crc: 0 }))));
  await refuses(() => loadArrays(many), many, new RegExp(`declares 1300 MB of arrays uncompressed, more than the ${MAX_ARRAY_FILE_BYTES / 1024 / 1024} MB`), 2000);
  const liar = write(d, 'liar.npz', zipOf([{ name: 'X.npy', raw: zeros, size: 1000, crc: 0 }]));
  await refuses(() => loadArrays(liar), liar, /array 'X': entry X\.npy inflates to more than its declared 1000 bytes/, 3000);
  const badCrc = write(d, 'crc.npz', zipOf([{ name: 'X.npy', data: x, deflate: true, crc: 12345 }]));
  await refuses(() => loadArrays(badCrc), badCrc, /entry X\.npy does not match its declared size and CRC-32/);
  assert.ok(process.memoryUsage().rss - before < 150 * 1024 * 1024);
  const odd = write(d, 'odd.npz', zipOf([{ name: '../X.npy', data: x }]));
  await refuses(() => loadArrays(odd), odd, /a member named "\.\.\/X\.npy" \(absolute or with "\.\."\)/);
  const dup = write(d, 'dup.npz', zipOf([{ name: 'X.npy', data: x }, { name: 'X.npy', data: x }]));
  await refuses(() => loadArrays(dup), dup, /holds "X\.npy" more than once/);
  const good = write(d, 'good.npz', zipOf([{ name: 'X.npy', data: x, deflate: true }, { name: 'Y.npy', data: x }]));
  assert.deepEqual((await loadArrays(good)).map((a) => a.name), ['X', 'Y']);
  assert.equal(parseNpz(fs.readFileSync(good), good).length, 2);
});
