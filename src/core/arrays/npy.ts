/**
 * NumPy .npy files (format versions 1.0, 2.0 and 3.0), as written by np.save.
 *
 * Layout: "\x93NUMPY", major, minor, header length (uint16 LE in v1, uint32 LE in v2/v3), then a
 * Python dict literal such as {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
 * padded with spaces and a newline, then the raw values.
 */
import { NDArray, InspectorError } from '../model';
import { halfToNumber } from '../dtypes';
import { NPY_MAGIC, hasNpyMagic } from '../detect';
import { fmtShape } from '../pyrepr';


/** Numeric dtypes we read, keyed by NumPy's kind + item size (e.g. "f4"). */
const DTYPES: Record<string, string> = {
  f2: 'float16',
  f4: 'float32',
  f8: 'float64',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
  b1: 'bool',
};

/** Why a dtype is not read, by NumPy kind character, for the error message. */
const UNSUPPORTED_KINDS: Record<string, string> = {
  O: 'Python objects (saved with allow_pickle)',
  c: 'complex numbers',
  U: 'unicode strings',
  S: 'byte strings',
  a: 'byte strings',
  V: 'raw or structured records',
  M: 'datetimes',
  m: 'timedeltas',
  f: 'a float size other than 2, 4 or 8 bytes',
};

/** A parsed .npy array: C-order float64 values plus the dtype name as stored ("float32", "int64"…). */
export type NpyArray = NDArray & { dtype: string };

export interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
  /** Offset of the first data byte. */
  dataOffset: number;
}

export function parseHeader(bytes: Uint8Array, file: string): NpyHeader {
  if (!hasNpyMagic(bytes)) throw new InspectorError(file, 'not a NumPy .npy file (missing the \\x93NUMPY magic)');
  if (bytes.length < 10) throw new InspectorError(file, 'truncated .npy file: the header is incomplete');
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLen: number;
  let start: number;
  if (major === 1) {
    headerLen = view.getUint16(8, true);
    start = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new InspectorError(file, 'truncated .npy file: the header is incomplete');
    headerLen = view.getUint32(8, true);
    start = 12;
  } else {
    throw new InspectorError(file, `unsupported .npy format version ${major}.${bytes[7]} (expected 1.0, 2.0 or 3.0)`);
  }
  if (start + headerLen > bytes.length) throw new InspectorError(file, 'truncated .npy file: the header is incomplete');
  // v1/v2 headers are latin-1, v3 UTF-8; the keys and values we read are ASCII either way.
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLen));

  const descrMatch = /['"]descr['"]\s*:\s*(['"])(.*?)\1/.exec(text);
  if (!descrMatch) {
    if (/['"]descr['"]\s*:\s*\[/.test(text)) {
      throw new InspectorError(file, 'unsupported dtype: structured arrays (records with named fields) are not numeric arrays');
    }
    throw new InspectorError(file, `malformed .npy header (no 'descr'): ${text.trim()}`);
  }
  const fortranMatch = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(text);
  if (!fortranMatch) throw new InspectorError(file, `malformed .npy header (no 'fortran_order'): ${text.trim()}`);
  const shapeMatch = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(text);
  if (!shapeMatch) throw new InspectorError(file, `malformed .npy header (no 'shape'): ${text.trim()}`);
  const shape = shapeMatch[1]
    .split(',')
    .map((s) => s.trim().replace(/L$/, '')) // Python 2 wrote long integers as "3L"
    .filter((s) => s !== '')
    .map((s) => {
      if (!/^\d+$/.test(s)) throw new InspectorError(file, `malformed .npy header: bad dimension '${s}' in shape`);
      const d = Number(s);
      if (!Number.isSafeInteger(d)) throw new InspectorError(file, `malformed .npy header: dimension ${s.slice(0, 30)}${s.length > 30 ? '…' : ''} in shape is beyond any real array`);
      return d;
    });
  return { descr: descrMatch[2], fortranOrder: fortranMatch[1] === 'True', shape, dataOffset: start + headerLen };
}

/** Splits a descr such as "<f4" into byte order, kind+size key, item size; throws for non-numeric dtypes. */
export function parseDescr(descr: string, file: string): { littleEndian: boolean; key: string; size: number } {
  const m = /^([<>|=]?)([a-zA-Z?])(\d*)(.*)$/.exec(descr);
  if (m) {
    const [, order, kind, sizeText] = m;
    const size = Number(sizeText);
    const key = kind === '?' ? 'b1' : `${kind}${sizeText}`;
    if (DTYPES[key] && m[4] === '') {
      // '=' is native order; every platform Node runs on is little-endian for our purposes,
      // but honour it explicitly rather than assume.
      const littleEndian = order === '>' ? false : order === '=' ? nativeLittleEndian() : true;
      return { littleEndian, key, size: kind === '?' ? 1 : size };
    }
    const why = UNSUPPORTED_KINDS[kind];
    if (why) throw new InspectorError(file, `unsupported dtype '${descr}': ${why}; only numeric and bool arrays can be read`);
  }
  throw new InspectorError(file, `unsupported dtype '${descr}'; only numeric and bool arrays can be read`);
}

function nativeLittleEndian(): boolean {
  return new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
}

/** A reader for one element at a byte offset. */
export function elementReader(view: DataView, key: string, le: boolean): (offset: number) => number {
  switch (key) {
    case 'f2':
      return (o) => halfToNumber(view.getUint16(o, le));
    case 'f4':
      return (o) => view.getFloat32(o, le);
    case 'f8':
      return (o) => view.getFloat64(o, le);
    case 'i1':
      return (o) => view.getInt8(o);
    case 'i2':
      return (o) => view.getInt16(o, le);
    case 'i4':
      return (o) => view.getInt32(o, le);
    // 64-bit integers beyond 2**53 are rounded to the nearest double, as float(x) would.
    case 'i8':
      return (o) => Number(view.getBigInt64(o, le));
    case 'u1':
      return (o) => view.getUint8(o);
    case 'u2':
      return (o) => view.getUint16(o, le);
    case 'u4':
      return (o) => view.getUint32(o, le);
    case 'u8':
      return (o) => Number(view.getBigUint64(o, le));
    case 'b1':
      return (o) => (view.getUint8(o) ? 1 : 0);
  }
  throw new Error(`no reader for ${key}`);
}

/** Parses a .npy file into a C-order float64 array. */
export function parseNpy(bytes: Uint8Array, file = ''): NpyArray {
  const header = parseHeader(bytes, file);
  const { key, size, littleEndian } = parseDescr(header.descr, file);
  const { shape } = header;
  const count = shape.reduce((a, b) => a * b, 1);
  const available = bytes.length - header.dataOffset;
  if (!(available >= count * size)) {
    throw new InspectorError(
      file,
      `truncated .npy file: shape (${shape.join(', ')}) of ${DTYPES[key]} needs ${count * size} bytes of data but only ${available} follow the header`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + header.dataOffset, count * size);
  const read = elementReader(view, key, littleEndian);
  const data = new Float64Array(count);
  if (!header.fortranOrder || shape.length < 2) {
    for (let i = 0; i < count; i++) data[i] = read(i * size);
  } else {
    // Fortran order stores the first axis fastest. Walk the file in that order while keeping the
    // matching C-order offset (C strides, carried like an odometer) to place each value.
    const ndim = shape.length;
    const cStrides = new Array<number>(ndim);
    cStrides[ndim - 1] = 1;
    for (let d = ndim - 2; d >= 0; d--) cStrides[d] = cStrides[d + 1] * shape[d + 1];
    const index = new Array<number>(ndim).fill(0);
    let c = 0;
    for (let p = 0; p < count; p++) {
      data[c] = read(p * size);
      for (let d = 0; d < ndim; d++) {
        index[d]++;
        c += cStrides[d];
        if (index[d] < shape[d]) break;
        c -= index[d] * cStrides[d];
        index[d] = 0;
      }
    }
  }
  return { shape, data, dtype: DTYPES[key] };
}

/**
 * Writes a standard .npy v1.0 file (little-endian, C order) that np.load reads.
 * The header is padded so the data starts on a 64-byte boundary, as NumPy does.
 */
export function writeNpy(a: NDArray, dtype: 'float32' | 'float64' = 'float32'): Uint8Array {
  const count = a.shape.reduce((x, y) => x * y, 1);
  if (!a.shape.every((d) => Number.isInteger(d) && d >= 0) || count !== a.data.length) {
    throw new InspectorError('', `cannot write .npy: shape (${a.shape.join(', ')}) does not match ${a.data.length} values`);
  }
  const size = dtype === 'float32' ? 4 : 8;
  let header = `{'descr': '<f${size}', 'fortran_order': False, 'shape': ${fmtShape(a.shape)}, }`;
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  if (header.length > 0xffff) throw new InspectorError('', 'cannot write .npy: header too long for format 1.0');
  const out = new Uint8Array(total + count * size);
  out.set(NPY_MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  for (let i = 0; i < count; i++) {
    if (size === 4) view.setFloat32(total + 4 * i, a.data[i], true);
    else view.setFloat64(total + 8 * i, a.data[i], true);
  }
  return out;
}
