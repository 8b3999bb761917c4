/**
 * A .npy file read a batch of samples (rows of the first axis) at a time, straight from disk: the
 * header is parsed once, each batch is one read at its offset. Memory is one batch, whatever the
 * file's size (a 4 GB X.npy is verified at constant memory). C order only: a Fortran-order file
 * keeps no sample contiguous (callers load such a file whole).
 */
import * as fs from 'node:fs';
import { InspectorError, type NDArray } from '../model';
import { elementReader, parseDescr, parseHeader } from './npy';
import { openRegular } from '../files';

export interface NpyStream {
  file: string;
  shape: number[];
  dtype: string;
  /** Samples (the first axis). */
  rows: number;
  /** Samples [start, end) as float64, C order. */
  read(start: number, end: number): NDArray;
  close(): void;
}

export function openNpyStream(file: string): NpyStream {
  let opened: { fd: number; size: number };
  try {
    opened = openRegular(file);
  } catch (e) {
    throw e instanceof InspectorError ? new InspectorError(file, e.problem) : e;
  }
  const { fd, size } = opened;
  try {
    const head = Buffer.alloc(Math.min(size, 1 << 20));
    fs.readSync(fd, head, 0, head.length, 0);
    const h = parseHeader(head, file);
    const { key, size: item, littleEndian } = parseDescr(h.descr, file);
    if (h.fortranOrder && h.shape.length > 1) throw new InspectorError(file, 'a Fortran-order .npy cannot be read in batches');
    if (!h.shape.length) throw new InspectorError(file, 'a 0-d .npy has no samples to read in batches');
    const rowElems = h.shape.slice(1).reduce((a, b) => a * b, 1);
    const need = h.dataOffset + h.shape[0] * rowElems * item;
    if (size < need) throw new InspectorError(file, `truncated .npy file: shape (${h.shape.join(', ')}) needs ${need - h.dataOffset} bytes of data but only ${size - h.dataOffset} follow the header`);
    const dtype = { f2: 'float16', f4: 'float32', f8: 'float64' }[key] ?? key;
    return {
      file,
      shape: h.shape,
      dtype,
      rows: h.shape[0],
      read(start, end) {
        const n = (end - start) * rowElems;
        const at = h.dataOffset + start * rowElems * item;
        // Little-endian float64 (what np.save writes for randn): read straight into the result.
        const direct = littleEndian && key === 'f8';
        const data = direct ? new Float64Array(n) : undefined;
        const buf = direct ? new Uint8Array(data!.buffer) : Buffer.alloc(n * item);
        let got = 0;
        while (got < buf.length) {
          const r = fs.readSync(fd, buf, got, buf.length - got, at + got);
          if (r <= 0) throw new InspectorError(file, `the file ended while reading samples ${start}–${end}`);
          got += r;
        }
        if (data) return { shape: [end - start, ...h.shape.slice(1)], data };
        let out: Float64Array;
        if (littleEndian && key === 'f4' && buf.byteOffset % 4 === 0) out = Float64Array.from(new Float32Array(buf.buffer, buf.byteOffset, n));
        else {
          const view = new DataView(buf.buffer, buf.byteOffset, buf.length);
          const rd = elementReader(view, key, littleEndian);
          out = new Float64Array(n);
          for (let i = 0; i < n; i++) out[i] = rd(i * item);
        }
        return { shape: [end - start, ...h.shape.slice(1)], data: out };
      },
      close: () => fs.closeSync(fd),
    };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}
