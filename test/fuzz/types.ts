/**
 * The harness's vocabulary. A family makes cases; a case builds its files in a fresh folder and
 * says which command lines to run on them and what a correct outcome is.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Rng } from './rng';

/** Where a case's files go: `dir/model/` holds the user's files, `dir/outside/` the sentinels. */
export interface CaseDirs {
  /** The case's folder (a private mkdtemp folder of the run). */
  dir: string;
  /** The model's folder: everything the case writes as "the user's files". */
  model: string;
  /** A folder beside it holding the sentinels: reading any of them is a read outside the model's folder. */
  outside: string;
  /** The sentinels (created by the harness after build(), their atime set in the past). */
  sentinels: { bin: string; h5: string; npy: string; json: string };
}

export interface Built {
  /** Command lines (argv after `rnn-inspector`), each run in turn. */
  runs: string[][];
  /**
   * 'ok': a valid file (control): every run must end in exit 0/1.
   * 'error': a lie the program must refuse: exit 2 with a clear message (success is "silent").
   * 'any': a result or a clear error are both right (most mutations).
   */
  expect: 'ok' | 'error' | 'any';
  /** Run through dist/cli.js in a child process (command-line family), not main() in the pool. */
  spawn?: boolean;
  /** Usage errors (bad options) are clean for this case (they name no file). */
  usage?: boolean;
  /** What the case turned out to do (a random lie names its place once applied). */
  detail?: string;
}

export interface Case {
  family: string;
  /** `family/index`: reproduces the case with --only. */
  id: string;
  /** What the case does, in words (deterministic from the seed). */
  name: string;
  build(d: CaseDirs): Promise<Built> | Built;
}

export interface Family {
  name: string;
  /** Share of --count (weights are normalized). */
  weight: number;
  /** How many of its first cases are fixed (named) ones; the rest are random. The quick subset spreads over these. */
  fixed: number;
  /** Case `index` of this family, from its own rng (independent of --count). */
  make(index: number, rng: Rng, env: Env): Omit<Case, 'family' | 'id'>;
}

/** What families may read: the repository's fixtures and the shared corpus. */
export interface Env {
  root: string;
  fixtures: string;
  /** ../shared/corpus/files, if present (searched upwards from the checkout). */
  corpus?: string;
  /** A bomb's deflate stream, made once per run (see families/zip.ts). */
  cache: string;
}

export function findCorpus(root: string): string | undefined {
  for (let d = root; ; d = path.dirname(d)) {
    const c = path.join(d, 'shared', 'corpus', 'files');
    if (fs.existsSync(c)) return c;
    if (path.dirname(d) === d) return undefined;
  }
}

/** Copies a file or a folder (recursively) into the model folder; returns the destination. */
export function copyIn(src: string, d: CaseDirs, name = path.basename(src)): string {
  const to = path.join(d.model, name);
  fs.cpSync(src, to, { recursive: true });
  return to;
}

/** Copies X.npy / Y.npy beside a model when its fixture folder has them. */
export function sidecars(srcDir: string, d: CaseDirs): boolean {
  let any = false;
  for (const f of ['X.npy', 'Y.npy']) {
    const p = path.join(srcDir, f);
    if (fs.existsSync(p)) {
      fs.copyFileSync(p, path.join(d.model, f));
      any = true;
    }
  }
  return any;
}

/** summary, then verify when there are expected predictions beside it, else predict. */
export function standardRuns(model: string, hasExpected: boolean): string[][] {
  return [['summary', model], hasExpected ? ['verify', model] : ['predict', model, '--json']];
}
