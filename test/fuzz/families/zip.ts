/**
 * .keras archives: not a zip, truncated, zip bombs (a small entry inflating to gigabytes; sizes
 * declared smaller than the data), `../` and absolute entry names, missing and duplicate entries,
 * lying config.json / metadata.json, a weight store with a hard-link cycle or an external link.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { unzipSync } from 'fflate';
import { h5wasm } from '../../../src/core/formats/h5';
import { lieFor, serialize } from './configLies';
import { zeroBomb, zip, type ZipItem } from './zipwrite';
import { sidecars, standardRuns, type CaseDirs, type Env, type Family } from '../types';

const SEEDS = ['seed_n1', 'lstm', 'gru', 'stacked', 'bidir_concat', 'functional_branches'];
type Entries = { config: Uint8Array; metadata: Uint8Array; weights: Uint8Array };

function entries(env: Env, c: string): Entries {
  const z = unzipSync(fs.readFileSync(path.join(env.fixtures, 'keras', c, 'model.keras')));
  return { config: z['config.json'], metadata: z['metadata.json'], weights: z['model.weights.h5'] };
}

let bomb: ReturnType<typeof zeroBomb> | undefined;
const bomb2G = () => (bomb ??= zeroBomb(2 ** 31));

const enc = (s: string) => new TextEncoder().encode(s);
const std = (e: Entries, over: Partial<Record<keyof Entries, Uint8Array>> = {}): ZipItem[] => [
  { name: 'metadata.json', data: over.metadata ?? e.metadata, deflate: true },
  { name: 'config.json', data: over.config ?? e.config, deflate: true },
  { name: 'model.weights.h5', data: over.weights ?? e.weights },
];

/** A copy of the weight store with extra links, written by h5wasm in a scratch file of the case. */
async function relinked(d: CaseDirs, e: Entries, link: (f: any, d: CaseDirs) => void): Promise<Uint8Array> {
  const mod = await h5wasm();
  const scratch = path.join(d.dir, 'scratch.weights.h5');
  fs.writeFileSync(scratch, e.weights);
  const f = new mod.File(scratch, 'a');
  try {
    link(f, d);
  } finally {
    f.close();
  }
  const b = fs.readFileSync(scratch);
  fs.rmSync(scratch);
  return b;
}

type Lie = { name: string; make(e: Entries, d: CaseDirs): ZipItem[] | Buffer | Promise<ZipItem[] | Buffer>; expect?: 'ok' | 'error' };

const LIES: Lie[] = [
  { name: 'rewritten unchanged (control)', make: (e) => std(e), expect: 'ok' },
  { name: 'not a zip (text)', make: () => Buffer.from('this is not a zip file\n'), expect: 'error' },
  { name: 'empty file', make: () => Buffer.alloc(0), expect: 'error' },
  { name: 'only a local header signature', make: () => Buffer.from('PK\u0003\u0004'), expect: 'error' },
  { name: 'only an end-of-central-directory record', make: () => zip([]), expect: 'error' },
  { name: 'truncated to half', make: (e) => zip(std(e)).subarray(0, zip(std(e)).length >> 1), expect: 'error' },
  { name: 'truncated by 10 bytes', make: (e) => { const z = zip(std(e)); return z.subarray(0, z.length - 10); }, expect: 'error' },
  { name: 'zip bomb: model.weights.h5 inflates to 2 GiB', make: (e) => [...std(e).slice(0, 2), { name: 'model.weights.h5', data: new Uint8Array(0), raw: bomb2G() }], expect: 'error' },
  { name: 'zip bomb: config.json inflates to 2 GiB', make: (e) => [std(e)[0], { name: 'config.json', data: new Uint8Array(0), raw: bomb2G() }, std(e)[2]], expect: 'error' },
  { name: 'zip bomb declared as 1 KB', make: (e) => [...std(e).slice(0, 2), { name: 'model.weights.h5', data: new Uint8Array(0), raw: bomb2G(), declaredSize: 1024 }], expect: 'error' },
  { name: 'config.json declared smaller than it inflates', make: (e) => [std(e)[0], { name: 'config.json', data: e.config, deflate: true, declaredSize: 10 }, std(e)[2]] },
  { name: 'config.json declared larger than it inflates', make: (e) => [std(e)[0], { name: 'config.json', data: e.config, deflate: true, declaredSize: 10_000_000 }, std(e)[2]] },
  { name: 'config.json with a wrong CRC', make: (e) => [std(e)[0], { name: 'config.json', data: e.config, deflate: true, declaredCrc: 12345 }, std(e)[2]], expect: 'error' },
  { name: 'entry names start with ../', make: (e) => std(e).map((i) => ({ ...i, name: `../${i.name}` })) },
  { name: 'entry names are absolute', make: (e, d) => std(e).map((i) => ({ ...i, name: path.join(d.outside, i.name) })) },
  { name: 'an extra entry ../../escape.txt', make: (e) => [...std(e), { name: '../../escape.txt', data: enc('x') }] },
  { name: 'no config.json', make: (e) => std(e).filter((i) => i.name !== 'config.json') },
  { name: 'no model.weights.h5', make: (e) => std(e).filter((i) => i.name !== 'model.weights.h5') },
  { name: 'no metadata.json', make: (e) => std(e).filter((i) => i.name !== 'metadata.json') },
  { name: 'config.json twice (second one lies)', make: (e) => [...std(e), { name: 'config.json', data: enc('{"class_name": "Sequential", "config": {"layers": null}}') }] },
  { name: 'model.weights.h5 twice', make: (e) => [...std(e), { name: 'model.weights.h5', data: enc('not hdf5') }] },
  { name: 'model.weights.h5 is not HDF5', make: (e) => std(e, { weights: enc('not an hdf5 file at all') }), expect: 'error' },
  { name: 'model.weights.h5 truncated', make: (e) => std(e, { weights: e.weights.subarray(0, e.weights.length >> 1) }) },
  { name: 'model.weights.h5 with zeroed 512 bytes at 2048', make: (e) => { const w = Uint8Array.from(e.weights); w.fill(0, 2048, 2560); return std(e, { weights: w }); } },
  { name: 'config.json is not JSON', make: (e) => std(e, { config: enc('{"class_name": ') }), expect: 'error' },
  { name: 'config.json 10,000 deep', make: (e) => std(e, { config: enc('['.repeat(10000) + ']'.repeat(10000)) }), expect: 'error' },
  { name: 'metadata.json keras_version is a number', make: (e) => std(e, { metadata: enc('{"keras_version": 3, "date_saved": 1}') }) },
  { name: 'metadata.json is a list', make: (e) => std(e, { metadata: enc('[1, 2]') }) },
  { name: 'metadata.json is not JSON', make: (e) => std(e, { metadata: enc('{') }) },
  { name: '10,001 entries', make: (e) => [...std(e), ...Array.from({ length: 10_001 }, (_, i) => ({ name: `pad/${i}`, data: new Uint8Array(0) }))] },
  { name: 'an entry name of 60,000 characters', make: (e) => [...std(e), { name: 'n'.repeat(60_000), data: enc('x') }] },
  { name: 'an entry name with control characters', make: (e) => [...std(e), { name: '\u001b[2J\u001b]0;pwned\u0007.txt', data: enc('x') }] },
  { name: 'weight store with a hard-link cycle', make: async (e, d) => std(e, { weights: await relinked(d, e, (f) => { for (const k of f.get('layers').keys()) f.get(`layers/${k}`).create_hard_link('/layers', 'loop'); }) }) },
  { name: 'weight store with a soft-link cycle', make: async (e, d) => std(e, { weights: await relinked(d, e, (f) => f.get('layers').create_soft_link('/layers/self', 'self')) }) },
  { name: 'weight store with an external link outside', make: async (e, d) => std(e, { weights: await relinked(d, e, (f) => { const k = f.get('layers').keys().find((n: string) => n !== 'input_layer'); f.get(`layers/${k}`).create_external_link(d.sentinels.h5, '/', 'ext'); }) }) },
];

export const zipFamily: Family = {
  name: 'zip',
  weight: 10,
  fixed: LIES.length,
  make(index, rng, env) {
    const c = SEEDS[index % SEEDS.length];
    const fixed = index < LIES.length ? LIES[index] : undefined;
    const lie = fixed ? undefined : lieFor(LIES.length + rng.int(0, 200), rng);
    return {
      get name() {
        return `${c}/model.keras: ${fixed ? fixed.name : `config.json: ${lie!.name}`}`;
      },
      async build(d) {
        const e = entries(env, c);
        const file = path.join(d.model, 'model.keras');
        const made = fixed ? await fixed.make(e, d) : std(e, { config: enc(serialize(lie!.apply(JSON.parse(new TextDecoder().decode(e.config))))) });
        fs.writeFileSync(file, Buffer.isBuffer(made) ? made : zip(made));
        const has = sidecars(path.join(env.fixtures, 'keras', c), d);
        return { runs: standardRuns(file, has), expect: fixed?.expect === 'ok' ? 'ok' : fixed?.expect ?? 'any' };
      },
    };
  },
};
