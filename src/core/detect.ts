/**
 * What a file is, by content (never by its name): every magic number the readers rely on, and the
 * one look at a file's first bytes that openModel dispatches on.
 */
import * as fs from 'node:fs';
import { InspectorError } from './model';
import { regionOf } from './formats/h5region';
import { fsProblem, kindOf, openRegular } from './files';

export const HDF5_SIGNATURE = [0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a];
/** Zip local-file-header magic, and the end-of-central-directory magic an empty archive starts with. */
export const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]; // PK\x03\x04
export const EMPTY_ZIP_MAGIC = [0x50, 0x4b, 0x05, 0x06]; // PK\x05\x06
export const NPY_MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const startsWith = (bytes: Uint8Array, magic: number[], offset = 0): boolean =>
  bytes.length >= offset + magic.length && magic.every((b, i) => bytes[offset + i] === b);

/** True when the bytes start with the HDF5 signature (offset 0; the user block offsets are checked by hasHdf5Signature). */
export function startsWithHdf5(bytes: Uint8Array, offset = 0): boolean {
  return startsWith(bytes, HDF5_SIGNATURE, offset);
}

export function hasZipMagic(bytes: Uint8Array): boolean {
  return startsWith(bytes, ZIP_MAGIC) || startsWith(bytes, EMPTY_ZIP_MAGIC);
}

export function hasNpyMagic(bytes: Uint8Array): boolean {
  return startsWith(bytes, NPY_MAGIC);
}

/** HDF5 allows a user block before the superblock: the signature may sit at 0, 512, 1024, 2048… */
export function hasHdf5Signature(file: string): boolean {
  // A region of another file (h5region.ts: a stored entry of a .keras archive) is checked in place.
  const region = regionOf(file);
  if (region?.bytes) {
    for (let off = 0; off + 8 <= region.size; off = off === 0 ? 512 : off * 2) if (startsWithHdf5(region.bytes, off)) return true;
    return false;
  }
  const opened = openRegular(region?.file ?? file);
  const fd = opened.fd;
  try {
    const size = region?.size ?? opened.size;
    const base = region?.offset ?? 0;
    const buf = Buffer.alloc(8);
    for (let off = 0; off + 8 <= size; off = off === 0 ? 512 : off * 2) {
      fs.readSync(fd, buf, 0, 8, base + off);
      if (startsWithHdf5(buf)) return true;
    }
    return false;
  } finally {
    fs.closeSync(fd);
  }
}

export type Detected = 'hdf5' | 'zip' | 'json' | 'npy' | 'directory' | 'unknown';

/**
 * What a path holds, from its first bytes. Throws a problem (no file name: openModel adds it)
 * when it does not exist or is empty.
 */
export function sniff(file: string): { kind: Detected; bytes: number } {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch (e) {
    throw new InspectorError('', fsProblem(e));
  }
  if (st.isDirectory()) return { kind: 'directory', bytes: 0 };
  if (!st.isFile()) throw new InspectorError('', `not a regular file (${kindOf(st)}); RNN Inspector reads only regular files`);
  if (st.size === 0) throw new InspectorError('', 'the file is empty');
  const { fd } = openRegular(file);
  const head = Buffer.alloc(Math.min(1024, st.size));
  try {
    fs.readSync(fd, head, 0, head.length, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (hasHdf5Signature(file)) return { kind: 'hdf5', bytes: st.size };
  if (startsWith(head, ZIP_MAGIC)) return { kind: 'zip', bytes: st.size };
  if (hasNpyMagic(head)) return { kind: 'npy', bytes: st.size };
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('{') || text.startsWith('[')) return { kind: 'json', bytes: st.size };
  // A truncated HDF5 file still starts with the signature; anything else is not ours.
  return { kind: 'unknown', bytes: st.size };
}
