/**
 * Reads outside the model's folder, and writes to the user's files.
 *
 * Outside reads: every case gets sentinel files in a folder beside the model's (a TF.js shard, an
 * HDF5 file, an .npy, a JSON dump: what a hostile path could point at), their access time set to
 * 2000-01-01 and their modification time to now. Linux's relatime (the default mount option)
 * updates atime on a read whenever atime ≤ mtime, so any read moves it; the harness checks at
 * start that this filesystem does (atimeWorks). No strace needed, nothing hooked in the program.
 *
 * Writes: a snapshot (size, mtime, SHA-256) of every regular file in the model's folder before
 * the runs, compared after them.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { h5wasm } from '../../src/core/formats/h5';
import { npy } from './families/npy';
import type { CaseDirs, Env } from './types';

const PAST = new Date('2000-01-01T00:00:00Z');
/** Values no real model holds: if they show up in output, the sentinel was read as weights. */
export const SENTINEL_VALUE = 7777.75;

let templates: { bin: Buffer; h5: Buffer; npy: Buffer; json: Buffer } | undefined;

export async function makeSentinelTemplates(env: Env): Promise<void> {
  const values = new Float32Array(4096).fill(SENTINEL_VALUE);
  const h5 = path.join(env.cache, 'sentinel-template.h5');
  const mod = await h5wasm();
  const f = new mod.File(h5, 'w');
  f.create_dataset({ name: 'w', data: values.subarray(0, 15), shape: [3, 5], dtype: '<f' });
  f.close();
  templates = {
    bin: Buffer.from(values.buffer),
    h5: fs.readFileSync(h5),
    npy: npy(`{'descr': '<f4', 'fortran_order': False, 'shape': (1, 10, 3), }`, new Uint8Array(values.buffer, 0, 120)),
    json: Buffer.from(JSON.stringify({ Wx: [[SENTINEL_VALUE]] })),
  };
}

export function plantSentinels(_env: Env, d: CaseDirs): void {
  if (!templates) throw new Error('makeSentinelTemplates first');
  for (const k of ['bin', 'h5', 'npy', 'json'] as const) {
    fs.writeFileSync(d.sentinels[k], templates[k]);
    fs.utimesSync(d.sentinels[k], PAST, new Date());
  }
}

export function touchedSentinels(d: CaseDirs): string[] {
  return Object.values(d.sentinels).filter((p) => fs.existsSync(p) && fs.statSync(p).atimeMs > PAST.getTime() + 1000);
}

/** Does reading a file move its atime here (when atime was set before mtime)? */
export function atimeWorks(dir: string): boolean {
  const p = path.join(dir, 'atime-check');
  fs.writeFileSync(p, 'x');
  fs.utimesSync(p, PAST, new Date());
  fs.readFileSync(p);
  const ok = fs.statSync(p).atimeMs > PAST.getTime() + 1000;
  fs.rmSync(p);
  return ok;
}

type Snap = Map<string, string>;

/** Every regular file below `dir`. */
export function walk(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile()) out.push(p);
  }
  return out;
}

function stamp(p: string): string {
  const st = fs.statSync(p);
  // A sparse 8 GB test file is not hashed (its size and mtime are enough).
  const hash = st.size > 64 << 20 ? '' : createHash('sha256').update(fs.readFileSync(p)).digest('hex');
  return `${st.size}:${st.mtimeMs}:${hash}`;
}

export function snapshot(dir: string): Snap {
  return new Map(walk(dir).map((p) => [p, stamp(p)]));
}

export function changedFiles(dir: string, before: Snap): string[] {
  return [...before].filter(([p, s]) => !fs.existsSync(p) || stamp(p) !== s).map(([p]) => p);
}
