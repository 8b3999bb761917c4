/**
 * A minimal zip writer that can lie: names as given (../, absolute, duplicates), declared sizes and
 * CRCs that differ from the data, deflated or stored entries. Real archives are read with fflate.
 */
import * as zlib from 'node:zlib';

export interface ZipItem {
  name: string;
  data: Uint8Array;
  /** Deflate it (default: stored). */
  deflate?: boolean;
  /** Already-deflated bytes (the bomb): written as is, with `size` and `crc` declared. */
  raw?: { compressed: Uint8Array; size: number; crc: number };
  /** Lies in the headers. */
  declaredSize?: number;
  declaredCrc?: number;
}

export function zip(items: ZipItem[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const it of items) {
    const name = Buffer.from(it.name, 'utf8');
    const comp = it.raw ? it.raw.compressed : it.deflate ? zlib.deflateRawSync(it.data) : it.data;
    const method = it.raw || it.deflate ? 8 : 0;
    const size = it.declaredSize ?? (it.raw ? it.raw.size : it.data.length);
    const crc = it.declaredCrc ?? (it.raw ? it.raw.crc : zlib.crc32(it.data));
    const size32 = Math.min(size, 0xffffffff);
    const h = Buffer.alloc(30);
    h.writeUInt32LE(0x04034b50, 0);
    h.writeUInt16LE(20, 4);
    h.writeUInt16LE(0x800, 6);
    h.writeUInt16LE(method, 8);
    h.writeUInt32LE(crc >>> 0, 14);
    h.writeUInt32LE(comp.length, 18);
    h.writeUInt32LE(size32, 22);
    h.writeUInt16LE(name.length, 26);
    locals.push(h, name, Buffer.from(comp));
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(0x800, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt32LE(crc >>> 0, 16);
    c.writeUInt32LE(comp.length, 20);
    c.writeUInt32LE(size32, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(offset, 42);
    central.push(c, name);
    offset += 30 + name.length + comp.length;
  }
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(items.length, 8);
  end.writeUInt16LE(items.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

/**
 * A deflate stream of `size` zero bytes, made in O(size / 64 MiB) compressions: one 64 MiB
 * segment ends with a full flush (byte aligned, no back references across it), repeated, then a
 * final empty block. Deflate's ratio is ~1000:1, so 2 GiB of zeros is ~2 MB.
 */
export function zeroBomb(size: number): { compressed: Uint8Array; size: number; crc: number } {
  const SEG = 64 << 20;
  const n = Math.max(1, Math.floor(size / SEG));
  const zeros = Buffer.alloc(SEG);
  const d = zlib.deflateRawSync(zeros, { level: 9, finishFlush: zlib.constants.Z_FULL_FLUSH });
  const tail = zlib.deflateRawSync(Buffer.alloc(0));
  let crc = 0;
  for (let i = 0; i < n; i++) crc = zlib.crc32(zeros, crc);
  return { compressed: Buffer.concat([...Array(n).fill(d), tail]), size: n * SEG, crc };
}
