/**
 * TF.js layers models (model.json + shards): shards missing, special (/dev/zero, /dev/urandom, a
 * FIFO, a folder), oversized (a sparse 8 GB file), listed 3,000 times, paths escaping the folder
 * (../, absolute), paths not a list; weight dtype and shape lies; lying modelTopology configs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { lieFor, serialize } from './configLies';
import { type CaseDirs, type Env, type Family } from '../types';

type Manifest = { modelTopology: unknown; weightsManifest: { paths: unknown; weights: { name: string; shape: unknown; dtype: unknown }[] }[]; [k: string]: unknown };
type Lie = { name: string; apply(m: Manifest, d: CaseDirs, folder: string): void; expect?: 'ok' | 'error' };

const g0 = (m: Manifest) => m.weightsManifest[0];
const w0 = (m: Manifest) => g0(m).weights[0];
const setPath = (p: string | ((d: CaseDirs, folder: string) => string)) => (m: Manifest, d: CaseDirs, folder: string) => {
  g0(m).paths = [typeof p === 'string' ? p : p(d, folder)];
};

const LIES: Lie[] = [
  { name: 'unchanged (control)', apply: () => {}, expect: 'ok' },
  { name: 'shard missing', apply: setPath('nope.bin'), expect: 'error' },
  { name: 'shard is /dev/zero', apply: setPath('/dev/zero'), expect: 'error' },
  { name: 'shard is /dev/urandom', apply: setPath('/dev/urandom'), expect: 'error' },
  { name: 'shard is a FIFO', apply: setPath((d, f) => { execFileSync('mkfifo', [path.join(f, 'fifo.bin')]); return 'fifo.bin'; }), expect: 'error' },
  { name: 'shard is a folder', apply: setPath((d, f) => { fs.mkdirSync(path.join(f, 'dir.bin')); return 'dir.bin'; }), expect: 'error' },
  { name: 'shard is a sparse 8 GB file', apply: setPath((d, f) => { const p = path.join(f, 'huge.bin'); fs.writeFileSync(p, ''); fs.truncateSync(p, 8 * 2 ** 30); return 'huge.bin'; }) },
  { name: 'shard path ../outside/sentinel.bin', apply: setPath((d, f) => path.relative(f, d.sentinels.bin)), expect: 'error' },
  { name: 'shard path absolute (sentinel)', apply: setPath((d) => d.sentinels.bin), expect: 'error' },
  { name: 'shard path file:// URL', apply: setPath((d) => `file://${d.sentinels.bin}`), expect: 'error' },
  { name: 'shard path through a symlink out of the folder', apply: setPath((d, f) => { fs.symlinkSync(d.sentinels.bin, path.join(f, 'link.bin')); return 'link.bin'; }), expect: 'error' },
  { name: 'shard listed 3,000 times', apply: (m) => { g0(m).paths = Array(3000).fill((g0(m).paths as string[])[0]); } },
  { name: 'paths missing', apply: (m) => { delete (g0(m) as { paths?: unknown }).paths; }, expect: 'error' },
  { name: 'paths empty', apply: (m) => { g0(m).paths = []; }, expect: 'error' },
  { name: 'paths is a string', apply: (m) => { g0(m).paths = 'group1-shard1of1.bin'; } },
  { name: 'paths is a number', apply: (m) => { g0(m).paths = 1; }, expect: 'error' },
  { name: 'paths contains null', apply: (m) => { g0(m).paths = [null]; }, expect: 'error' },
  { name: 'weightsManifest is null', apply: (m) => { (m as { weightsManifest: unknown }).weightsManifest = null; } },
  { name: 'weightsManifest is an object', apply: (m) => { (m as { weightsManifest: unknown }).weightsManifest = { a: 1 }; } },
  { name: 'weights is null', apply: (m) => { (g0(m) as { weights: unknown }).weights = null; } },
  { name: 'dtype float64 (shard too short)', apply: (m) => { w0(m).dtype = 'float64'; }, expect: 'error' },
  { name: 'dtype string', apply: (m) => { w0(m).dtype = 'string'; }, expect: 'error' },
  { name: 'dtype complex64', apply: (m) => { w0(m).dtype = 'complex64'; }, expect: 'error' },
  { name: 'dtype __proto__', apply: (m) => { w0(m).dtype = '__proto__'; }, expect: 'error' },
  { name: 'dtype is a number', apply: (m) => { w0(m).dtype = 4; }, expect: 'error' },
  { name: 'shape [-1, 5]', apply: (m) => { w0(m).shape = [-1, 5]; }, expect: 'error' },
  { name: 'shape [2.5, 2]', apply: (m) => { w0(m).shape = [2.5, 2]; }, expect: 'error' },
  { name: 'shape [0, 5]', apply: (m) => { w0(m).shape = [0, 5]; }, expect: 'error' },
  { name: 'shape [1e9, 1e9]', apply: (m) => { w0(m).shape = [1e9, 1e9]; }, expect: 'error' },
  { name: 'shape is a string', apply: (m) => { w0(m).shape = '5,2'; }, expect: 'error' },
  { name: 'shape null', apply: (m) => { w0(m).shape = null; }, expect: 'error' },
  { name: 'shape 10,000 deep', apply: (m) => { w0(m).shape = '\u0000DEEP10000\u0000'; }, expect: 'error' },
  { name: 'two weights with one name', apply: (m) => { g0(m).weights[1].name = w0(m).name; } },
  { name: 'weight name __proto__', apply: (m) => { w0(m).name = '__proto__'; } },
  { name: 'shard shorter than the weights', apply: (m, d, f) => { const p = path.join(f, (g0(m).paths as string[])[0]); fs.truncateSync(p, 7); }, expect: 'error' },
  { name: 'shard longer than the weights', apply: (m, d, f) => { const p = path.join(f, (g0(m).paths as string[])[0]); fs.appendFileSync(p, Buffer.alloc(4096)); } },
  { name: 'modelTopology is null', apply: (m) => { m.modelTopology = null; } },
  { name: 'modelTopology is a string', apply: (m) => { m.modelTopology = 'x'; } },
  { name: 'format is not layers-model', apply: (m) => { m.format = 'graph-model'; } },
];

export const tfjsFamily: Family = {
  name: 'tfjs',
  weight: 10,
  fixed: LIES.length,
  make(index, rng, env) {
    const src = path.join(env.fixtures, 'json', index % 2 ? 'tfjs_bidir_concat' : 'tfjs_seed_n15');
    const fixed = index < LIES.length ? LIES[index] : undefined;
    const lie = fixed ? undefined : lieFor(rng.int(0, 200), rng);
    return {
      get name() {
        return `${path.basename(src)}: ${fixed ? fixed.name : `modelTopology: ${lie!.name}`}`;
      },
      build(d) {
        const folder = path.join(d.model, path.basename(src));
        fs.cpSync(src, folder, { recursive: true });
        const mj = path.join(folder, 'model.json');
        const m = JSON.parse(fs.readFileSync(mj, 'utf8')) as Manifest;
        if (fixed) fixed.apply(m, d, folder);
        else m.modelTopology = lie!.apply(m.modelTopology);
        fs.writeFileSync(mj, serialize(m));
        // Half the cases open the folder, half its model.json.
        const target = index % 4 < 2 ? folder : mj;
        const X = path.join(folder, 'X.npy');
        return { runs: [['summary', target], ['verify', target, '--inputs', X, '--expected', path.join(folder, 'Y.npy')]], expect: fixed?.expect ?? 'any' };
      },
    };
  },
};
