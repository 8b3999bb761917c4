/**
 * HDF5 files that are a byte range of another file (a `.keras` archive's stored
 * `model.weights.h5`), opened by h5wasm in place: no copy, no temp file. A region gets a virtual
 * path; h5wasm's Node file system (Emscripten's NODERAWFS, which calls `fs` directly) is wrapped
 * once so that opening that path opens the archive, and reads, seeks and fstat are shifted into the
 * range and clipped to it. Every other path goes through untouched. Read-only.
 *
 * The same wrapper is the HDF5 read guard (`guardOpen`): while RNN Inspector reads a model, h5wasm
 * may open that one file and no other (an external link, external storage or a virtual dataset
 * would make HDF5 open another file: refused, with the reason kept for the message), and every
 * global heap collection HDF5 reads is checked first (`checkGlobalHeap`): a collection whose object
 * walk cannot advance (a zeroed object of size 0) would make HDF5 1.x loop forever.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

export interface Region {
  /** The real file holding the bytes (opened for a descriptor even when `bytes` serves the reads). */
  file: string;
  offset: number;
  size: number;
  /** The bytes themselves, in memory (a deflated entry inflated): reads are served from here. */
  bytes?: Uint8Array;
}

interface Stream {
  fd: number;
  position: number;
}

/** The parts of Emscripten's FS object that are wrapped. */
interface EmFS {
  ErrnoError?: new (errno: number) => Error;
  open(path: string, flags: number | string, mode?: number): Stream;
  write(stream: Stream, buffer: Int8Array, offset: number, length: number, position?: number, canOwn?: boolean): number;
  read(stream: Stream, buffer: Int8Array, offset: number, length: number, position?: number): number;
  llseek(stream: Stream, offset: number, whence: number): number;
  fstat(fd: number): fs.Stats;
  stat(path: string, dontFollow?: boolean): fs.Stats;
  getStream(fd: number): Stream | null;
}

const regions = new Map<string, Region>();
const open = new WeakMap<Stream, Region>();
let counter = 0;
let installed = false;

/** A virtual path for `size` bytes at `offset` of `file`; release() when done. */
export function registerRegion(r: Region, name = 'region.h5'): { path: string; release(): void } {
  const p = `/rnn-inspector-region/${++counter}/${name}`;
  regions.set(p, r);
  return { path: p, release: () => regions.delete(p) };
}

export const regionOf = (path: string): Region | undefined => regions.get(path);

/** Emscripten's open flag O_CREAT. */
const O_CREAT = 0o100;

/** A path whose opening reads nothing of the user's: absent, or a folder. */
function harmless(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return true;
  }
}

/** Emscripten errno numbers (wasi): EACCES, EIO. */
const EACCES = 2;
const EIO = 29;

interface Guard {
  /** The paths h5wasm may open: the model's own file, as given, absolute and real (HDF5 may reopen it by its absolute name). */
  allowed: Set<string>;
  /** Why a read was refused (the first reason), for the message. */
  refusal?: string;
  /** Global heap collections already checked, by byte offset. */
  checked: Set<number>;
}
let guard: Guard | undefined;
let checking = false;

/**
 * From now until the returned end(), h5wasm may open `file` only. end() returns the reason a read
 * was refused meanwhile, if any.
 */
export function guardOpen(file: string): { refusal(): string | undefined; end(): void } {
  const allowed = new Set([file, nodePath.resolve(file)]);
  try {
    allowed.add(fs.realpathSync(file));
  } catch {
    // not there: the open fails on its own
  }
  const g: Guard = { allowed, checked: new Set() };
  guard = g;
  return {
    refusal: () => g.refusal,
    end: () => {
      if (guard === g) guard = undefined;
    },
  };
}

let outputSink: ((text: string) => void) | undefined;
/** While set, what the HDF5 library writes to stdout / stderr (HDF5-DIAG stacks) goes to `sink` instead. */
export function captureOutput(sink: ((text: string) => void) | undefined): void {
  outputSink = sink;
}

/** The reason the active guard refused a read, if it did. */
export const guardRefusal = (): string | undefined => guard?.refusal;

const GCOL = Buffer.from('GCOL', 'latin1');

/**
 * Why a global heap collection (its bytes from the signature on) would make HDF5 misbehave, or
 * undefined when its object walk is sound. Layout (HDF5 spec III.E, 8-byte lengths as Keras files
 * use): "GCOL", version 1, 3 reserved, collection size (8); objects: index (2), references (2),
 * reserved (4), size (8), data padded to 8 bytes; index 0 is the free space, whose size covers
 * itself. HDF5's walk steps by 16 + padded size (or the free space's size): a size of 0 never steps.
 */
export function checkGlobalHeap(b: Uint8Array, declared: number): string | undefined {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const size = Math.min(declared, b.length);
  let p = 16;
  while (p < size) {
    if (p + 16 > size) return undefined; // a tail too small for a header: free space
    const idx = view.getUint16(p, true);
    const objSize = Number(view.getBigUint64(p + 8, true));
    const need = idx > 0 ? 16 + Math.ceil(objSize / 8) * 8 : objSize;
    if (need === 0) return `an object of size 0 at byte ${p} of the collection`;
    if (p + need > size) return `object ${idx} (${objSize} bytes at byte ${p}) runs past the end of the collection (${size} bytes)`;
    p += need;
  }
  return undefined;
}

function sized(st: fs.Stats, size: number): fs.Stats {
  return Object.create(st, { size: { value: size }, blocks: { value: Math.ceil(size / 512) } }) as fs.Stats;
}

/** Wraps h5wasm's FS once (idempotent). */
export function installRegions(FS: EmFS | null | undefined): void {
  if (installed || !FS) return;
  installed = true;
  const { open: open0, read: read0, llseek: llseek0, fstat: fstat0, stat: stat0, write: write0 } = FS;
  FS.write = (stream, buffer, offset, length, position, canOwn) => {
    if (outputSink && (stream.fd === 1 || stream.fd === 2)) {
      outputSink(Buffer.from(buffer.buffer, buffer.byteOffset + offset, length).toString('utf8'));
      return length;
    }
    return write0(stream, buffer, offset, length, position, canOwn);
  };
  const refuse = (why: string, errno: number): never => {
    if (guard && !guard.refusal) guard.refusal = why;
    const E = FS.ErrnoError;
    if (E) throw new E(errno);
    throw Object.assign(new Error(why), { code: 'EACCES' });
  };
  FS.open = (path, flags, mode) => {
    // h5wasm itself opens two kinds of paths: temporary files it creates (O_CREAT) to collect
    // HDF5's error stack, and HDF5's plugin folder (absent). Any other existing file is a file the model points to.
    if (guard && !guard.allowed.has(path) && !checking && !(Number(flags) & O_CREAT) && !harmless(path)) {
      refuse(`the HDF5 file refers to another file, ${JSON.stringify(path)} (an external link, external storage or a virtual dataset): refused, RNN Inspector reads only the model's own file and nothing outside it`, EACCES);
    }
    const r = regions.get(path);
    if (!r) return open0(path, flags, mode);
    const s = open0(r.file, 0 /* O_RDONLY */, mode);
    open.set(s, r);
    return s;
  };
  const readRaw = (stream: Stream, buffer: Int8Array, offset: number, length: number, position?: number): number => {
    const r = open.get(stream);
    if (!r) return read0(stream, buffer, offset, length, position);
    const seeking = typeof position !== 'undefined';
    const at = seeking ? position : stream.position;
    const n = Math.max(0, Math.min(length, r.size - at));
    let got = 0;
    if (n > 0 && r.bytes) {
      buffer.set(new Int8Array(r.bytes.buffer, r.bytes.byteOffset + at, n), offset);
      got = n;
    } else if (n > 0) got = read0(stream, buffer, offset, n, r.offset + at);
    if (!seeking) stream.position = at + got;
    return got;
  };
  /** Checks every global heap collection whose signature appears in bytes just read. */
  const inspect = (stream: Stream, buffer: Int8Array, offset: number, got: number, at: number): void => {
    const g = guard;
    if (!g || checking || got < 4) return;
    const bytes = Buffer.from(buffer.buffer, buffer.byteOffset + offset, got);
    for (let i = bytes.indexOf(GCOL); i >= 0; i = bytes.indexOf(GCOL, i + 1)) {
      const where = at + i;
      if (g.checked.has(where)) continue;
      g.checked.add(where);
      checking = true;
      try {
        const head = new Int8Array(16);
        if (readRaw(stream, head, 0, 16, where) < 16) continue;
        const h = new DataView(head.buffer);
        if (h.getUint8(4) !== 1 || h.getUint8(5) || h.getUint8(6) || h.getUint8(7)) continue; // not a collection header
        const declared = Number(h.getBigUint64(8, true));
        const total = fileSize(stream);
        if (declared < 4096) continue; // HDF5 refuses these itself
        if (where + declared > total) refuse(`the HDF5 file is damaged or truncated: a global heap (the store of its strings, at byte ${where}) declares ${declared} bytes, beyond the end of the file (${total} bytes)`, EIO);
        const body = new Int8Array(declared);
        const n = readRaw(stream, body, 0, declared, where);
        const why = checkGlobalHeap(new Uint8Array(body.buffer, 0, n), declared);
        if (why) refuse(`the HDF5 file is damaged: its global heap at byte ${where} (the store of its strings) is corrupt, ${why}`, EIO);
      } finally {
        checking = false;
      }
    }
  };
  const fileSize = (stream: Stream): number => {
    const r = open.get(stream);
    if (r) return r.size;
    try {
      return fstat0((stream as unknown as { fd: number }).fd).size;
    } catch {
      return Number.MAX_SAFE_INTEGER;
    }
  };
  FS.read = (stream, buffer, offset, length, position) => {
    const at = typeof position !== 'undefined' ? position : stream.position;
    const got = readRaw(stream, buffer, offset, length, position);
    if (guard && !checking) inspect(stream, buffer, offset, got, at);
    return got;
  };
  FS.llseek = (stream, offset, whence) => {
    const r = open.get(stream);
    if (!r) return llseek0(stream, offset, whence);
    const at = whence === 0 ? offset : whence === 1 ? stream.position + offset : r.size + offset;
    if (at < 0) return llseek0(stream, -1, 0); // EINVAL from the file system itself
    stream.position = at;
    return at;
  };
  FS.fstat = (fd) => {
    const st = fstat0(fd);
    const s = FS.getStream(fd);
    const r = s ? open.get(s) : undefined;
    return r ? sized(st, r.size) : st;
  };
  FS.stat = (path, dontFollow) => {
    const r = regions.get(path);
    return r ? sized(stat0(r.file, dontFollow), r.size) : stat0(path, dontFollow);
  };
}
