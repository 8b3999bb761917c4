/**
 * HDF5 files that are a byte range of another file (a `.keras` archive's stored
 * `model.weights.h5`), opened by h5wasm in place: no copy, no temp file. A region gets a virtual
 * path; h5wasm's Node file system (Emscripten's NODERAWFS, which calls `fs` directly) is wrapped
 * once so that opening that path opens the archive, and reads, seeks and fstat are shifted into the
 * range and clipped to it. Every other path goes through untouched. Read-only.
 */
import * as fs from 'node:fs';

export interface Region {
  /** The real file holding the bytes. */
  file: string;
  offset: number;
  size: number;
}

interface Stream {
  fd: number;
  position: number;
}

/** The parts of Emscripten's FS object that are wrapped. */
interface EmFS {
  open(path: string, flags: number | string, mode?: number): Stream;
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

function sized(st: fs.Stats, size: number): fs.Stats {
  return Object.create(st, { size: { value: size }, blocks: { value: Math.ceil(size / 512) } }) as fs.Stats;
}

/** Wraps h5wasm's FS once (idempotent). */
export function installRegions(FS: EmFS | null | undefined): void {
  if (installed || !FS) return;
  installed = true;
  const { open: open0, read: read0, llseek: llseek0, fstat: fstat0, stat: stat0 } = FS;
  FS.open = (path, flags, mode) => {
    const r = regions.get(path);
    if (!r) return open0(path, flags, mode);
    const s = open0(r.file, 0 /* O_RDONLY */, mode);
    open.set(s, r);
    return s;
  };
  FS.read = (stream, buffer, offset, length, position) => {
    const r = open.get(stream);
    if (!r) return read0(stream, buffer, offset, length, position);
    const seeking = typeof position !== 'undefined';
    const at = seeking ? position : stream.position;
    const n = Math.max(0, Math.min(length, r.size - at));
    const got = n > 0 ? read0(stream, buffer, offset, n, r.offset + at) : 0;
    if (!seeking) stream.position = at + got;
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
