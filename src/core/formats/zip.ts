/**
 * A zip reader that reads only what it is asked for: the central directory (from the end of the
 * file), then single entries by name. A 1 GB `.keras` is summarised without reading its
 * `model.weights.h5`: Keras stores that entry uncompressed, so `entryRegion` gives its byte range
 * and h5wasm reads it in place (see h5.ts, registerRegion). Small entries (config.json,
 * metadata.json) are inflated with fflate and checked against their CRC-32.
 *
 * Limits, each a clear error rather than a hang or an allocation the size of a lie: at most
 * MAX_ENTRIES entries, the central directory and every entry inside the file, JSON entries at most
 * MAX_SMALL_ENTRY bytes uncompressed, compression ratios at most MAX_RATIO, no encryption, no
 * multi-disk archives. Zip64 records are followed. Errors carry no file name (the boundary adds it).
 */
import * as fs from 'node:fs';
import { Inflate } from 'fflate';
import { InspectorError } from '../model';
import { MAX_WEIGHT_BYTES, openRegular } from '../files';

/** Entries in one archive. */
export const MAX_ENTRIES = 10_000;
/** A JSON entry (config.json, metadata.json), uncompressed. */
export const MAX_SMALL_ENTRY = 64 * 1024 * 1024;
/** Declared uncompressed size over compressed size, for any deflated entry. */
export const MAX_RATIO = 1000;
/** The central directory. */
export const MAX_CENTRAL_DIRECTORY = 64 * 1024 * 1024;
/**
 * A deflated model.weights.h5 is inflated (to a private temporary file) only when it declares at
 * most MAX_WEIGHT_BYTES and at most MAX_WEIGHTS_RATIO times its compressed size (trained weights
 * barely compress; past MAX_SMALL_ENTRY a higher ratio is a bomb, not a model).
 */
export const MAX_WEIGHTS_RATIO = 100;

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  flags: number;
  localOffset: number;
}

/** Where an archive's bytes come from: a file descriptor, or bytes in memory (.npz given as bytes). */
interface Source {
  fd?: number;
  bytes?: Uint8Array;
}

export interface ZipArchive extends Source {
  fileSize: number;
  /** Entries by name, in central-directory order (safe names only). */
  entries: Map<string, ZipEntry>;
  /** Entry names never used: absolute, or climbing out with "..". */
  unsafe: string[];
  /** Names listed more than once (the first is kept in `entries`). */
  duplicates: string[];
}

function fail(msg: string): never {
  throw new InspectorError('', msg);
}

const mb = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${n} bytes`);

function readAt(src: Source, offset: number, length: number): Buffer {
  if (src.bytes) {
    const b = src.bytes;
    if (offset + length > b.length) fail(`the archive ends early (wanted ${length} bytes at offset ${offset}): it is truncated`);
    return Buffer.from(b.buffer, b.byteOffset + offset, length);
  }
  const b = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const n = fs.readSync(src.fd!, b, got, length - got, offset + got);
    if (n <= 0) break;
    got += n;
  }
  if (got < length) fail(`the archive ends early (wanted ${length} bytes at offset ${offset}): it is truncated`);
  return b;
}

const u64 = (b: Buffer, at: number): number => {
  const v = b.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) fail('a zip64 size or offset is out of range: the archive is corrupt');
  return Number(v);
};

/** Finds the end-of-central-directory record and returns the central directory's offset, size, count. */
function findDirectory(fd: Source, size: number): { offset: number; length: number; count: number } {
  if (size < 22) fail(`too short for a zip archive (${size} bytes)`);
  const tailLen = Math.min(size, 22 + 65535);
  const tail = readAt(fd, size - tailLen, tailLen);
  let at = -1;
  for (let i = tailLen - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50 && i + 22 + tail.readUInt16LE(i + 20) <= tailLen) {
      at = i;
      break;
    }
  }
  if (at < 0) fail('no zip end-of-central-directory record: the archive is truncated or not a zip file');
  if (tail.readUInt16LE(at + 4) !== 0 || tail.readUInt16LE(at + 6) !== 0) fail('a multi-part (spanned) zip archive: not supported');
  let count = tail.readUInt16LE(at + 10);
  let length = tail.readUInt32LE(at + 12);
  let offset = tail.readUInt32LE(at + 16);
  const eocd = size - tailLen + at;
  if ((count === 0xffff || length === 0xffffffff || offset === 0xffffffff) && eocd >= 20) {
    const loc = readAt(fd, eocd - 20, 20);
    if (loc.readUInt32LE(0) === 0x07064b50) {
      const z = u64(loc, 8);
      if (z + 56 > size) fail('the zip64 end-of-central-directory record lies beyond the end of the file: the archive is truncated');
      const rec = readAt(fd, z, 56);
      if (rec.readUInt32LE(0) !== 0x06064b50) fail('a broken zip64 end-of-central-directory record: the archive is corrupt');
      count = u64(rec, 32);
      length = u64(rec, 40);
      offset = u64(rec, 48);
    }
  }
  if (count > MAX_ENTRIES) fail(`the archive lists ${count} entries (at most ${MAX_ENTRIES}): not a Keras archive, or corrupt`);
  if (length > MAX_CENTRAL_DIRECTORY || offset + length > size) {
    fail(`the central directory (${mb(length)} at offset ${offset}) does not fit in the file (${mb(size)}): the archive is truncated or corrupt`);
  }
  return { offset, length, count };
}

/** Opens an archive and reads its central directory (nothing else). Call closeZip() afterwards. */
export function openZip(file: string): ZipArchive {
  const { fd, size } = openRegular(file);
  try {
    return readDirectory({ fd }, size);
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** An archive held in memory (an .npz loaded as bytes); closeZip() is a no-op. */
export function openZipBytes(bytes: Uint8Array): ZipArchive {
  return readDirectory({ bytes }, bytes.length);
}

/** An entry name that must never be used: absolute, a drive, or with a ".." step. */
export function unsafeEntryName(name: string): boolean {
  return /^[\\/]/.test(name) || /^[a-zA-Z]:/.test(name) || name.split(/[\\/]/).includes('..') || name.includes('\0');
}

function readDirectory(src: Source, fileSize: number): ZipArchive {
  const fd = src;
  {
    const dir = findDirectory(fd, fileSize);
    const b = readAt(fd, dir.offset, dir.length);
    const entries = new Map<string, ZipEntry>();
    const unsafe: string[] = [];
    const duplicates: string[] = [];
    let p = 0;
    for (let i = 0; i < dir.count; i++) {
      if (p + 46 > b.length || b.readUInt32LE(p) !== 0x02014b50) fail(`central directory entry ${i + 1} of ${dir.count} is broken: the archive is corrupt`);
      const nameLen = b.readUInt16LE(p + 28);
      const extraLen = b.readUInt16LE(p + 30);
      const commentLen = b.readUInt16LE(p + 32);
      if (p + 46 + nameLen + extraLen + commentLen > b.length) fail(`central directory entry ${i + 1} runs past the directory: the archive is corrupt`);
      const name = b.toString('utf8', p + 46, p + 46 + nameLen);
      const e: ZipEntry = {
        name,
        flags: b.readUInt16LE(p + 8),
        method: b.readUInt16LE(p + 10),
        crc: b.readUInt32LE(p + 16),
        compressedSize: b.readUInt32LE(p + 20),
        size: b.readUInt32LE(p + 24),
        localOffset: b.readUInt32LE(p + 42),
      };
      // Zip64 extra field: the 64-bit values of those that are 0xffffffff, in this order.
      for (let x = p + 46 + nameLen, end = x + extraLen; x + 4 <= end; ) {
        const id = b.readUInt16LE(x);
        const len = b.readUInt16LE(x + 2);
        if (id === 0x0001) {
          let q = x + 4;
          const next = (): number => {
            if (q + 8 > x + 4 + len) fail(`entry ${name}: a short zip64 extra field: the archive is corrupt`);
            const v = u64(b, q);
            q += 8;
            return v;
          };
          if (e.size === 0xffffffff) e.size = next();
          if (e.compressedSize === 0xffffffff) e.compressedSize = next();
          if (e.localOffset === 0xffffffff) e.localOffset = next();
        }
        x += 4 + len;
      }
      if (e.localOffset + 30 + e.compressedSize > fileSize) {
        fail(`entry ${name} declares ${mb(e.compressedSize)} at offset ${e.localOffset}, beyond the end of the file (${mb(fileSize)}): the archive is truncated or corrupt`);
      }
      if (e.method === 0 && e.size !== e.compressedSize) fail(`entry ${name} is stored uncompressed but declares two different sizes: the archive is corrupt`);
      if (e.method === 8 && e.size > MAX_RATIO * Math.max(1, e.compressedSize)) {
        fail(`entry ${name} declares ${mb(e.size)} from ${mb(e.compressedSize)} (a ratio above ${MAX_RATIO}:1): refused as a possible zip bomb`);
      }
      if (unsafeEntryName(name)) unsafe.push(name);
      else if (entries.has(name)) duplicates.push(name);
      else entries.set(name, e);
      p += 46 + nameLen + extraLen + commentLen;
    }
    return { ...src, fileSize, entries, unsafe, duplicates };
  }
}

export function closeZip(z: ZipArchive): void {
  if (z.fd !== undefined) fs.closeSync(z.fd);
}

/** Byte offset of an entry's data (after its local header). */
function dataOffset(z: ZipArchive, e: ZipEntry): number {
  const h = readAt(z, e.localOffset, 30);
  if (h.readUInt32LE(0) !== 0x04034b50) fail(`entry ${e.name}: no local header at offset ${e.localOffset}: the archive is corrupt`);
  const start = e.localOffset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28);
  if (start + e.compressedSize > z.fileSize) fail(`entry ${e.name} runs past the end of the file: the archive is truncated`);
  return start;
}

function usable(e: ZipEntry): void {
  if (e.flags & 1) fail(`entry ${e.name} is encrypted: not supported`);
  if (e.method !== 0 && e.method !== 8) fail(`entry ${e.name} uses compression method ${e.method} (only stored and deflate are supported)`);
}

/** A small entry's bytes (inflated and CRC-checked); undefined when the archive has no such entry. */
export function readEntry(z: ZipArchive, name: string, limit = MAX_SMALL_ENTRY): Uint8Array | undefined {
  const e = z.entries.get(name);
  if (!e) return undefined;
  usable(e);
  if (e.size > limit) fail(`entry ${name} declares ${mb(e.size)} uncompressed (at most ${mb(limit)} for this entry)`);
  const start = dataOffset(z, e);
  let out: Uint8Array;
  if (e.method === 0) out = readAt(z, start, e.compressedSize);
  else {
    // Inflated 64 KB of input at a time into the declared size: stops as soon as the real output
    // passes it, instead of inflating a lie to the end.
    out = new Uint8Array(e.size);
    let written = 0;
    const inf = new Inflate((chunk) => {
      if (written + chunk.length > e.size) fail(`entry ${name} inflates to more than its declared ${mb(e.size)}: the archive is corrupt`);
      out.set(chunk, written);
      written += chunk.length;
    });
    const CH = 64 * 1024;
    for (let off = 0; off < e.compressedSize; off += CH) {
      const n = Math.min(CH, e.compressedSize - off);
      const chunk = readAt(z, start + off, n);
      try {
        inf.push(chunk, off + n >= e.compressedSize);
      } catch (err) {
        if (err instanceof InspectorError) throw err;
        fail(`entry ${name} does not inflate (its compressed data is damaged): the archive is corrupt`);
      }
    }
    if (written !== e.size) fail(`entry ${name} inflates to ${mb(written)}, not its declared ${mb(e.size)}: the archive is corrupt`);
  }
  if (out.length !== e.size || crc32(out) !== e.crc) fail(`entry ${name} does not match its declared size and CRC-32: the archive is corrupt`);
  return out;
}

/** Where a stored (uncompressed) entry's bytes lie in the file, to be read in place; undefined when compressed. */
export function entryRegion(z: ZipArchive, name: string): { offset: number; size: number } | undefined {
  const e = z.entries.get(name);
  if (!e) return undefined;
  usable(e);
  if (e.method !== 0) return undefined;
  return { offset: dataOffset(z, e), size: e.size };
}

/** A compressed entry inflated to `dest` in 64 KB chunks (never whole in memory); its size and CRC are checked. */
export function inflateEntryTo(z: ZipArchive, name: string, dest: string): void {
  const e = z.entries.get(name);
  if (!e) fail(`no entry ${name} in the archive`);
  usable(e);
  if (e.size > MAX_WEIGHT_BYTES || (e.size > MAX_SMALL_ENTRY && e.size > MAX_WEIGHTS_RATIO * e.compressedSize)) {
    fail(`entry ${name} declares ${mb(e.size)} from ${mb(e.compressedSize)} compressed (at most ${mb(MAX_WEIGHT_BYTES)}, and at most ${MAX_WEIGHTS_RATIO}:1 past ${mb(MAX_SMALL_ENTRY)}): refused as a possible zip bomb`);
  }
  const start = dataOffset(z, e);
  const out = fs.openSync(dest, 'wx', 0o600);
  let written = 0;
  let crc = 0;
  try {
    const inf = new Inflate((chunk) => {
      written += chunk.length;
      if (written > e.size) fail(`entry ${name} inflates to more than its declared ${mb(e.size)}: the archive is corrupt`);
      crc = crc32(chunk, crc);
      fs.writeSync(out, chunk);
    });
    const CH = 64 * 1024; // deflate expands at most ~1032:1: one push yields at most ~66 MB
    for (let off = 0; off < e.compressedSize; off += CH) {
      const n = Math.min(CH, e.compressedSize - off);
      const chunk = readAt(z, start + off, n);
      try {
        inf.push(chunk, off + n >= e.compressedSize);
      } catch (err) {
        if (err instanceof InspectorError) throw err;
        fail(`entry ${name} does not inflate (its compressed data is damaged): the archive is corrupt`);
      }
    }
  } finally {
    fs.closeSync(out);
  }
  if (written !== e.size || crc !== e.crc) fail(`entry ${name} does not match its declared size and CRC-32: the archive is corrupt`);
}

let table: Uint32Array | undefined;
/** CRC-32 (IEEE, as zip), continuing from `prev`. */
export function crc32(b: Uint8Array, prev = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~prev >>> 0;
  for (let i = 0; i < b.length; i++) c = table[(c ^ b[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}
