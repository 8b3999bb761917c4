/**
 * .npy / .npz given as --inputs / --expected: lying headers (shapes larger than the data,
 * negative, fractional, 2^62), object dtype (a pickle: must never be unpickled), strings, complex,
 * big-endian, Fortran order, truncation, bad magic and versions, headers that are Python code;
 * .npz archives that are bombs, hold ../ names, or hold no arrays.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Rng } from '../rng';
import { zeroBomb, zip } from './zipwrite';
import { sidecars, type CaseDirs, type Env, type Family } from '../types';

/** An .npy file with this header text (padded as NumPy pads) and data. */
export function npy(header: string, data: Uint8Array, version = [1, 0]): Buffer {
  const pre = 10;
  let h = header;
  const total = Math.ceil((pre + h.length + 1) / 64) * 64;
  h = h.padEnd(total - pre - 1, ' ') + '\n';
  const b = Buffer.alloc(pre);
  Buffer.from('\x93NUMPY', 'latin1').copy(b, 0);
  b[6] = version[0];
  b[7] = version[1];
  b.writeUInt16LE(h.length, 8);
  return Buffer.concat([b, Buffer.from(h, 'latin1'), Buffer.from(data)]);
}

const f32 = (n: number, v = 0.25) => new Uint8Array(new Float32Array(n).fill(v).buffer);
const hdr = (descr: string, shape: string, fortran = false) => `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': ${shape}, }`;
const GOOD = () => npy(hdr('<f4', '(1, 10, 3)'), f32(30));

interface Lie {
  name: string;
  make(d: CaseDirs, env: Env): Buffer | { file: string };
  /** The lie goes in --expected instead of --inputs. */
  expected?: boolean;
  npz?: boolean;
  expect?: 'ok' | 'error';
}

let bomb: ReturnType<typeof zeroBomb> | undefined;

const LIES: Lie[] = [
  { name: 'a good X (control)', make: () => GOOD(), expect: 'ok' },
  { name: 'Fortran order (1, 10, 3)', make: () => npy(hdr('<f4', '(1, 10, 3)', true), f32(30)) },
  { name: 'big-endian float64', make: () => { const b = Buffer.alloc(240); for (let i = 0; i < 30; i++) b.writeDoubleBE(0.5, i * 8); return npy(hdr('>f8', '(1, 10, 3)'), b); } },
  { name: 'float16', make: () => npy(hdr('<f2', '(1, 10, 3)'), new Uint8Array(60)) },
  { name: 'shape (1000000000, 10, 3) with 30 values', make: () => npy(hdr('<f4', '(1000000000, 10, 3)'), f32(30)), expect: 'error' },
  { name: 'shape (2**62, 10, 3)', make: () => npy(hdr('<f4', `(${2n ** 62n}, 10, 3)`), f32(30)), expect: 'error' },
  { name: 'shape (-1, 10, 3)', make: () => npy(hdr('<f4', '(-1, 10, 3)'), f32(30)), expect: 'error' },
  { name: 'shape (1.5, 10, 3)', make: () => npy(hdr('<f4', '(1.5, 10, 3)'), f32(30)), expect: 'error' },
  { name: 'shape (0, 10, 3)', make: () => npy(hdr('<f4', '(0, 10, 3)'), new Uint8Array(0)) },
  { name: 'shape () scalar', make: () => npy(hdr('<f4', '()'), f32(1)), expect: 'error' },
  { name: 'shape 64 dimensions', make: () => npy(hdr('<f4', `(${Array(64).fill(1).join(', ')})`), f32(1)), expect: 'error' },
  { name: 'shape is a string', make: () => npy(`{'descr': '<f4', 'fortran_order': False, 'shape': 'abc', }`, f32(30)), expect: 'error' },
  { name: 'object dtype (a pickle)', make: () => npy(hdr('|O', '(1,)'), Buffer.from('\x80\x04\x95\x1c\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94\x93\x94\x8c\x04echo\x94\x85\x94R\x94.', 'latin1')), expect: 'error' },
  { name: 'unicode string dtype', make: () => npy(hdr('<U10', '(1, 10, 3)'), new Uint8Array(1200)), expect: 'error' },
  { name: 'bytes dtype', make: () => npy(hdr('|S5', '(1, 10, 3)'), new Uint8Array(150)), expect: 'error' },
  { name: 'complex128', make: () => npy(hdr('<c16', '(1, 10, 3)'), new Uint8Array(480)), expect: 'error' },
  { name: 'structured dtype', make: () => npy(`{'descr': [('a', '<f4'), ('b', '<i4')], 'fortran_order': False, 'shape': (1, 10, 3), }`, new Uint8Array(240)), expect: 'error' },
  { name: 'datetime64', make: () => npy(hdr('<M8[s]', '(1, 10, 3)'), new Uint8Array(240)), expect: 'error' },
  { name: 'descr __proto__', make: () => npy(hdr('__proto__', '(1, 10, 3)'), f32(30)), expect: 'error' },
  { name: 'data truncated (29 of 30 values)', make: () => npy(hdr('<f4', '(1, 10, 3)'), f32(29)), expect: 'error' },
  { name: 'header truncated', make: () => GOOD().subarray(0, 40), expect: 'error' },
  { name: 'only the magic', make: () => Buffer.from('\x93NUMPY', 'latin1'), expect: 'error' },
  { name: 'bad magic', make: () => { const b = GOOD(); b[1] = 0x4d; return b; }, expect: 'error' },
  { name: 'version 3.0', make: () => npy(hdr('<f4', '(1, 10, 3)'), f32(30), [3, 0]) },
  { name: 'version 9.9', make: () => npy(hdr('<f4', '(1, 10, 3)'), f32(30), [9, 9]), expect: 'error' },
  { name: 'header length 65535, file short', make: () => { const b = GOOD(); b.writeUInt16LE(0xffff, 8); return b; }, expect: 'error' },
  { name: 'header is Python code', make: () => npy(`__import__('os').system('echo PWNED')`, f32(30)), expect: 'error' },
  { name: 'header is a nested dict', make: () => npy(`{'descr': {'a': {'b': 1}}, 'fortran_order': False, 'shape': (1, 10, 3), }`, f32(30)), expect: 'error' },
  { name: 'header 10,000 deep', make: () => npy(`{'descr': '<f4', 'fortran_order': False, 'shape': ${'('.repeat(10000)}${')'.repeat(10000)}, }`, f32(30)), expect: 'error' },
  { name: 'wrong width for the model (1, 10, 4)', make: () => npy(hdr('<f4', '(1, 10, 4)'), f32(40)), expect: 'error' },
  { name: 'two dimensions (10, 3)', make: () => npy(hdr('<f4', '(10, 3)'), f32(30)) },
  { name: 'NaN inputs', make: () => npy(hdr('<f4', '(1, 10, 3)'), f32(30, NaN)) },
  { name: 'expected with shape (1000000000, 2)', make: () => npy(hdr('<f4', '(1000000000, 2)'), f32(2)), expected: true, expect: 'error' },
  { name: 'expected of another shape', make: () => npy(hdr('<f4', '(3, 7)'), f32(21)), expected: true, expect: 'error' },
  { name: 'expected object dtype', make: () => npy(hdr('|O', '(1, 2)'), Buffer.from('\x80\x04N.', 'latin1')), expected: true, expect: 'error' },
  { name: 'npz with one good X (control)', npz: true, make: () => zip([{ name: 'X.npy', data: GOOD() }]), expect: 'ok' },
  { name: 'npz bomb: X.npy inflates to 2 GiB', npz: true, make: () => zip([{ name: 'X.npy', data: new Uint8Array(0), raw: (bomb ??= zeroBomb(2 ** 31)) }]), expect: 'error' },
  { name: 'npz bomb declared as 248 bytes', npz: true, make: () => zip([{ name: 'X.npy', data: new Uint8Array(0), raw: (bomb ??= zeroBomb(2 ** 31)), declaredSize: 248 }]), expect: 'error' },
  { name: 'npz entry ../../x.npy', npz: true, make: () => zip([{ name: '../../x.npy', data: GOOD() }]) },
  { name: 'npz entry absolute', npz: true, make: (d) => zip([{ name: path.join(d.outside, 'x.npy'), data: GOOD() }]) },
  { name: 'npz with no arrays', npz: true, make: () => zip([{ name: 'readme.txt', data: Buffer.from('hi') }]), expect: 'error' },
  { name: 'npz empty archive', npz: true, make: () => zip([]), expect: 'error' },
  { name: 'npz X.npy twice', npz: true, make: () => zip([{ name: 'X.npy', data: GOOD() }, { name: 'X.npy', data: npy(hdr('<f4', '(1, 10, 4)'), f32(40)) }]) },
  { name: 'npz holding an object array', npz: true, make: () => zip([{ name: 'X.npy', data: npy(hdr('|O', '(1,)'), Buffer.from('\x80\x04N.', 'latin1')) }]), expect: 'error' },
  { name: 'npz that is not a zip', npz: true, make: () => Buffer.from('PK not really'), expect: 'error' },
  { name: 'npz 10,001 entries', npz: true, make: () => zip([{ name: 'X.npy', data: GOOD() }, ...Array.from({ length: 10_001 }, (_, i) => ({ name: `p${i}.txt`, data: new Uint8Array(0) }))]) },
];

function randomLie(rng: Rng): Lie {
  const at = rng.int(0, 247);
  const kind = rng.pick(['truncate', 'flip', 'flip']);
  const bit = rng.int(0, 7);
  return {
    name: kind === 'truncate' ? `good X truncated to ${at} bytes` : `good X with bit ${bit} of byte ${at} flipped`,
    make: () => {
      const b = GOOD();
      if (kind === 'truncate') return b.subarray(0, at);
      b[at] ^= 1 << bit;
      return b;
    },
  };
}

export const npyFamily: Family = {
  name: 'npy',
  weight: 8,
  fixed: LIES.length,
  make(index, rng, env) {
    const lie = index < LIES.length ? LIES[index] : randomLie(rng);
    return {
      name: lie.name,
      build(d) {
        const model = path.join(d.model, 'model.h5');
        fs.copyFileSync(path.join(env.fixtures, 'keras', 'seed_n1', 'model.h5'), model);
        sidecars(path.join(env.fixtures, 'keras', 'seed_n1'), d);
        const made = lie.make(d, env);
        const file = path.join(d.model, lie.npz ? 'lie.npz' : 'lie.npy');
        fs.writeFileSync(file, made as Buffer);
        const X = path.join(d.model, 'X.npy');
        const Y = path.join(d.model, 'Y.npy');
        const runs = lie.expected
          ? [['verify', model, '--inputs', X, '--expected', file]]
          : [['predict', model, '--inputs', file, '--json'], ['verify', model, '--inputs', file, '--expected', Y]];
        return { runs, expect: lie.expect ?? 'any' };
      },
    };
  },
};
