/**
 * Hostile command lines, run as a user runs them: dist/cli.js in a child process. Missing,
 * special (FIFO, /dev/zero, folders) and odd (empty, control characters, 100 KB) paths; numbers
 * that are not numbers; --out aimed at the model or its inputs (must never overwrite an input).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { sidecars, type CaseDirs, type Env, type Family } from '../types';

interface Files { m: string; X: string; Y: string; fifo: string; dir: string; d: CaseDirs }
type Line = { name: string; args(f: Files): string[]; expect?: 'ok' | 'error'; usage?: boolean };

const L = (name: string, args: (f: Files) => string[], expect?: 'ok' | 'error', usage = true): Line => ({ name, args, expect, usage });

const LINES: Line[] = [
  L('summary (control)', (f) => ['summary', f.m], 'ok'),
  L('verify (control)', (f) => ['verify', f.m], 'ok'),
  L('--help', () => ['--help'], 'ok'),
  L('no arguments', () => [], 'error'),
  L('unknown command', () => ['explode', 'x'], 'error'),
  L('summary without a file', () => ['summary'], 'error'),
  L('summary of two files', (f) => ['summary', f.m, f.m], 'error'),
  L('summary of a missing file', (f) => ['summary', path.join(f.d.model, 'missing.h5')], 'error', false),
  L('summary of a folder without model.json', (f) => ['summary', f.dir], 'error', false),
  L('summary of /dev/zero', () => ['summary', '/dev/zero'], 'error', false),
  L('summary of a FIFO', (f) => ['summary', f.fifo], 'error', false),
  L('summary of ""', () => ['summary', ''], 'error'),
  L('summary of a 100 KB path', (f) => ['summary', path.join(f.d.model, 'a'.repeat(100_000))], 'error', false),
  L('summary of a file named with terminal escapes', (f) => { const p = path.join(f.d.model, '\u001b[2J\u001b]0;pwned\u0007.h5'); fs.copyFileSync(f.m, p); return ['summary', p]; }),
  L('summary of a missing file named with terminal escapes', (f) => ['summary', path.join(f.d.model, '\u001b[31mred\u001b[0m.h5')], 'error', false),
  L('unknown option', (f) => ['summary', f.m, '--evil'], 'error'),
  L('--columns 1e9', (f) => ['summary', f.m, '--columns', '1e9'], 'error'),
  L('--columns -5', (f) => ['summary', f.m, '--columns', '-5'], 'error'),
  L('--columns abc', (f) => ['summary', f.m, '--columns', 'abc'], 'error'),
  L('--line-length 0', (f) => ['summary', f.m, '--line-length', '0'], 'error'),
  L('--config missing', (f) => ['summary', f.m, '--config', path.join(f.d.model, 'nope.json')], 'error', false),
  L('--config /dev/zero', (f) => ['summary', f.m, '--config', '/dev/zero'], 'error', false),
  L('--config a folder', (f) => ['summary', f.m, '--config', f.dir], 'error', false),
  L('--config a FIFO', (f) => ['summary', f.m, '--config', f.fifo], undefined, false),
  L('--config is the model itself', (f) => ['summary', f.m, '--config', f.m], undefined, false),
  L('--samples -1', (f) => ['predict', f.m, '--samples', '-1'], 'error'),
  L('--samples 0', (f) => ['predict', f.m, '--samples', '0'], 'error'),
  L('--samples 2.5', (f) => ['predict', f.m, '--samples', '2.5'], 'error'),
  L('--samples abc', (f) => ['predict', f.m, '--samples', 'abc'], 'error'),
  L('--samples 1e12', (f) => ['predict', f.m, '--samples', '1e12'], 'error'),
  L('--samples 100000000', (f) => ['predict', f.m, '--samples', '100000000']),
  L('--seed -5', (f) => ['predict', f.m, '--seed', '-5']),
  L('--seed NaN', (f) => ['predict', f.m, '--seed', 'NaN'], 'error'),
  L('--seed 1e300', (f) => ['predict', f.m, '--seed', '1e300']),
  L('--atol NaN', (f) => ['verify', f.m, '--atol', 'NaN'], 'error'),
  L('--atol -1', (f) => ['verify', f.m, '--atol', '-1'], 'error'),
  L('--rtol Infinity', (f) => ['verify', f.m, '--rtol', 'Infinity'], 'error'),
  L('--precision f16', (f) => ['predict', f.m, '--precision', 'f16'], 'error'),
  L('--hard-sigmoid __proto__', (f) => ['predict', f.m, '--hard-sigmoid', '__proto__'], 'error'),
  L('--hard-sigmoid constructor', (f) => ['predict', f.m, '--hard-sigmoid', 'constructor'], 'error'),
  L('--inputs /dev/zero', (f) => ['predict', f.m, '--inputs', '/dev/zero'], 'error', false),
  L('--inputs a FIFO', (f) => ['predict', f.m, '--inputs', f.fifo], 'error', false),
  L('--inputs a folder', (f) => ['predict', f.m, '--inputs', f.dir], 'error', false),
  L('--inputs missing', (f) => ['predict', f.m, '--inputs', path.join(f.d.model, 'nope.npy')], 'error', false),
  L('--inputs is the model', (f) => ['predict', f.m, '--inputs', f.m], 'error', false),
  L('--expected /dev/urandom', (f) => ['verify', f.m, '--inputs', f.X, '--expected', '/dev/urandom'], 'error', false),
  L('--expected a FIFO', (f) => ['verify', f.m, '--inputs', f.X, '--expected', f.fifo], 'error', false),
  L('--out is the model', (f) => ['predict', f.m, '--inputs', f.X, '--out', f.m]),
  L('--out is the inputs', (f) => ['predict', f.m, '--inputs', f.X, '--out', f.X]),
  L('--out is the expected sidecar', (f) => ['predict', f.m, '--out', f.Y]),
  L('--out in a missing folder', (f) => ['predict', f.m, '--out', path.join(f.d.model, 'no', 'such', 'y.npy')], 'error', false),
  L('--out is a folder', (f) => ['predict', f.m, '--out', f.dir], 'error', false),
  L('--out /dev/full', (f) => ['predict', f.m, '--out', '/dev/full'], 'error', false),
  L('gradients --loss __proto__', (f) => ['gradients', f.m, '--loss', '__proto__'], 'error'),
  L('gradients --targets /dev/zero', (f) => ['gradients', f.m, '--inputs', f.X, '--targets', '/dev/zero'], 'error', false),
  L('gradients --out is the model', (f) => ['gradients', f.m, '--out', f.m]),
  L('gradients (control)', (f) => ['gradients', f.m, '--check'], 'ok'),
  L('gradients --targets of the inputs\' shape', (f) => ['gradients', f.m, '--inputs', f.X, '--targets', f.X], 'error', false),
  L('gradients --targets is the model', (f) => ['gradients', f.m, '--inputs', f.X, '--targets', f.m], 'error', false),
  L('gradients --targets full of NaN', (f) => ['gradients', f.m, '--inputs', f.X, '--targets', nanLike(f.Y)], undefined, false),
  L('gradients sparse_categorical_crossentropy on real-valued targets', (f) => ['gradients', f.m, '--inputs', f.X, '--targets', f.Y, '--loss', 'sparse_categorical_crossentropy'], 'error', false),
  L('gradients --targets twice for one output', (f) => ['gradients', f.m, '--inputs', f.X, '--targets', f.Y, '--targets', f.Y], 'error', false),
  L('--inputs without a value', (f) => ['predict', f.m, '--inputs'], 'error'),
  L('--json twice', (f) => ['summary', f.m, '--json', '--json']),
  L('-- then an option-like file', (f) => ['summary', '--', '--json'], 'error', false),
];

/** A copy of a float32/float64 .npy beside it with every value NaN (the header kept). */
function nanLike(npy: string): string {
  const b = fs.readFileSync(npy);
  const headerLen = b.readUInt16LE(8) + 10;
  const f64 = /'<f8'/.test(b.subarray(0, headerLen).toString('latin1'));
  for (let o = headerLen; o + (f64 ? 8 : 4) <= b.length; o += f64 ? 8 : 4) {
    if (f64) b.writeDoubleLE(NaN, o);
    else b.writeFloatLE(NaN, o);
  }
  const out = npy.replace(/\.npy$/, '.nan.npy');
  fs.writeFileSync(out, b);
  return out;
}

/** The fixture the command lines run on, and the case's special files. */
export function cliBuild(env: Env, line: number) {
  const l = LINES[line % LINES.length];
  return (d: CaseDirs) => {
    const m = path.join(d.model, 'model.h5');
    fs.copyFileSync(path.join(env.fixtures, 'keras', 'seed_n1', 'model.h5'), m);
    sidecars(path.join(env.fixtures, 'keras', 'seed_n1'), d);
    const fifo = path.join(d.model, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const dir = path.join(d.model, 'folder');
    fs.mkdirSync(dir);
    const f: Files = { m, X: path.join(d.model, 'X.npy'), Y: path.join(d.model, 'Y.npy'), fifo, dir, d };
    return { runs: [l.args(f)], expect: l.expect ?? ('any' as const), spawn: true, usage: l.usage };
  };
}

export const cliFamily: Family = {
  name: 'cli',
  weight: 5,
  fixed: LINES.length,
  make(index, _rng, env) {
    return { name: LINES[index % LINES.length].name, build: cliBuild(env, index) };
  },
};
