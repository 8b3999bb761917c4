/**
 * Byte mutations of real files: the fixtures (made by real Keras) and ../shared/corpus/files/.
 * Truncation at many offsets, bit flips, zeroed blocks, duplicated blocks. A mutated file may
 * still be valid (a flipped bit in padding): a result or a clear error are both right.
 * The first cases are the unmodified seeds (controls: they must open and verify).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Rng } from '../rng';
import { copyIn, sidecars, standardRuns, type CaseDirs, type Env, type Family } from '../types';

interface Seed {
  /** Path of the file or folder (a TF.js folder: its model.json and shard are mutated). */
  src: string;
  /** Fixture folder whose X.npy / Y.npy go beside it. */
  samples?: string;
  /** Architecture only (model.to_json()): summary, no forward pass. */
  archOnly?: boolean;
}

export function seeds(env: Env): Seed[] {
  const k = (c: string, f: string): Seed => ({ src: path.join(env.fixtures, 'keras', c, f), samples: path.join(env.fixtures, 'keras', c) });
  const list: Seed[] = [
    k('seed_n1', 'model.h5'),
    k('seed_n1', 'model.keras'),
    k('seed_n1', 'model.weights.h5'),
    k('lstm', 'model.h5'),
    k('gru', 'model.keras'),
    k('bidir_concat', 'model.h5'),
    k('stacked', 'model.keras'),
    k('embedding_mask_lstm', 'model.h5'),
    k('functional_branches', 'model.keras'),
    { src: path.join(env.fixtures, 'json', 'notebook_dump.json') },
    { src: path.join(env.fixtures, 'json', 'weight_list.json') },
    { src: path.join(env.fixtures, 'json', 'model_config.json'), archOnly: true },
    { src: path.join(env.fixtures, 'json', 'tfjs_seed_n15'), samples: path.join(env.fixtures, 'json', 'tfjs_seed_n15') },
  ];
  if (env.corpus) {
    for (const f of [
      'mandoohi__AIReporter__rnn.h5',
      'DelosIndustry__HongongML-DL_stduy__best-simplernn-model.keras',
      'cnjxkdrk__hongong__best-simplernn-model.h5',
      'xzhang9292__FinancialNewsSentiment__model.json',
      'rochanehurst__FlightDelayPrediction__tfjs_lstm_model',
    ]) {
      list.push({ src: path.join(env.corpus, f), archOnly: f.endsWith('model.json') });
    }
  }
  return list.filter((s) => fs.existsSync(s.src));
}

type Mutation = { name: string; apply(b: Buffer): Buffer };

function truncations(len: number, rng: Rng): number[] {
  const fixed = [0, 1, 4, 8, 16, 64, 512, 1024, 2048, 4096, len >> 1, len - 1, len - 8, len - 512];
  return [rng.pick(fixed.filter((x) => x >= 0 && x < len)), rng.int(0, Math.max(0, len - 1))];
}

export function mutation(rng: Rng, len: number): Mutation {
  const kind = rng.pick(['truncate', 'truncate', 'flip', 'flip', 'zero', 'zero', 'duplicate']);
  if (kind === 'truncate') {
    const at = rng.pick(truncations(len, rng));
    return { name: `truncated to ${at} of ${len} bytes`, apply: (b) => b.subarray(0, at) };
  }
  if (kind === 'flip') {
    const n = rng.pick([1, 1, 2, 4, 16, 64]);
    const bits = Array.from({ length: n }, () => [rng.int(0, len - 1), rng.int(0, 7)] as const);
    return {
      name: `${n} bit flip(s) at ${bits.slice(0, 3).map(([o, b]) => `${o}.${b}`).join(',')}${n > 3 ? ',…' : ''}`,
      apply: (b) => {
        const c = Buffer.from(b);
        for (const [o, bit] of bits) c[o] ^= 1 << bit;
        return c;
      },
    };
  }
  const size = rng.pick([8, 64, 256, 512, 4096]);
  const at = rng.int(0, Math.max(0, len - 1));
  if (kind === 'zero') {
    return { name: `${size} bytes zeroed at ${at}`, apply: (b) => { const c = Buffer.from(b); c.fill(0, at, Math.min(len, at + size)); return c; } };
  }
  const to = rng.int(0, Math.max(0, len - 1));
  return {
    name: `${size} bytes at ${at} copied over ${to}`,
    apply: (b) => {
      const c = Buffer.from(b);
      b.copy(c, to, at, Math.min(len, at + size));
      return c;
    },
  };
}

/** The file a mutation hits in a TF.js folder: the manifest or a shard. */
function target(root: string, rng: Rng): string {
  if (!fs.statSync(root).isDirectory()) return root;
  const files = fs.readdirSync(root).filter((f) => f === 'model.json' || f.endsWith('.bin')).sort();
  return path.join(root, rng.pick(files));
}

export const mutateFamily: Family = {
  name: 'mutate',
  weight: 35,
  fixed: 0,
  make(index, rng, env) {
    const all = seeds(env);
    const seed = all[index % all.length];
    const control = index < all.length;
    const label = path.relative(path.dirname(path.dirname(seed.src)), seed.src);
    let desc = 'unmodified (control)';
    // Decide the mutation now so the name is known before build().
    const pickTarget = (root: string): { file: string; m: Mutation } => {
      const file = target(root, rng);
      return { file, m: mutation(rng, fs.statSync(file).size) };
    };
    let planned: { rel: string; m: Mutation } | undefined;
    if (!control) {
      const { file, m } = pickTarget(seed.src);
      planned = { rel: path.relative(seed.src, file), m };
      desc = `${planned.rel ? planned.rel + ' ' : ''}${m.name}`;
    }
    return {
      name: `${label}: ${desc}`,
      build(d: CaseDirs) {
        const to = copyIn(seed.src, d);
        const expected = seed.samples ? sidecars(seed.samples, d) : false;
        if (planned) {
          const f = planned.rel ? path.join(to, planned.rel) : to;
          fs.writeFileSync(f, planned.m.apply(fs.readFileSync(f)));
        }
        const hasY = expected || fs.existsSync(path.join(to, 'Y.npy'));
        const runs = seed.archOnly ? [['summary', to]] : standardRuns(to, hasY && !seed.src.endsWith('weights.h5'));
        return { runs, expect: control ? 'ok' : 'any' };
      },
    };
  },
};
