/**
 * npm run fuzz: broken and hostile inputs through the CLI's code path, each ending in a result or
 * one clear error within a bound (see docs/errors.md, "Time, memory and the host").
 *
 *   node out/test/fuzz/run.js [--seed S] [--count N] [--quick] [--time SEC] [--jobs J]
 *                             [--family NAME…] [--only family/index…] [--keep] [--verbose]
 *
 * Deterministic: case `family/index` is a function of the seed alone (not of --count). Each case
 * builds its files in a private temporary folder (removed afterwards unless --keep), plants
 * sentinel files beside the model's folder (atime set in the past: a read moves it, which
 * relatime always records when atime ≤ mtime), runs its command lines with a hard time and
 * memory limit, and checks that no pre-existing file changed. Exit 1 when any input crashes,
 * hangs, blows memory, gives an unclear error, accepts a lie silently, reads outside the model's
 * folder or writes a user file (known failures excepted, see known.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { caseRng } from './rng';
import { FAILING, judgeRun, worst, type Cls, type RunOutcome, type Verdict } from './classify';
import { childScript, Lane, MEMORY_LIMIT_MB, RUN_TIMEOUT_MS, spawnCli } from './pool';
import { isKnown, knownFailures } from './known';
import { findCorpus, type Case, type CaseDirs, type Env, type Family } from './types';
import { plantSentinels, snapshot, changedFiles, touchedSentinels, atimeWorks, makeSentinelTemplates } from './sentinels';
import { writeReport, type CaseResult } from './report';
import { mutateFamily } from './families/mutate';
import { h5configFamily, h5structFamily } from './families/h5';
import { zipFamily } from './families/zip';
import { tfjsFamily } from './families/tfjs';
import { jsonFamily } from './families/json';
import { npyFamily } from './families/npy';
import { cliFamily } from './families/cli';

export const FAMILIES: Family[] = [mutateFamily, h5configFamily, h5structFamily, zipFamily, tfjsFamily, jsonFamily, npyFamily, cliFamily];
/** The quick subset (npm test): about 200 inputs, every family, its fixed cases first. */
export const QUICK_COUNT = 200;

const ROOT = (() => {
  let d = __dirname;
  while (!fs.existsSync(path.join(d, 'package.json'))) d = path.dirname(d);
  return d;
})();

/** How many cases of each family for a total of `count`. */
export function split(count: number, families: Family[]): Map<Family, number> {
  const total = families.reduce((s, f) => s + f.weight, 0);
  const m = new Map<Family, number>();
  let left = count;
  families.forEach((f, i) => {
    const n = i === families.length - 1 ? left : Math.round((count * f.weight) / total);
    m.set(f, Math.max(0, n));
    left -= n;
  });
  return m;
}

/** The quick subset's shares: the hostile families get more than in a full run. */
const QUICK_WEIGHTS: Record<string, number> = { mutate: 42, h5config: 30, h5struct: 26, zip: 26, tfjs: 26, json: 22, npy: 20, cli: 8 };

/**
 * Case indices of a family: 0…n-1; in the quick subset, n indices spread evenly over its fixed
 * (named) cases when there are more of those than n.
 */
function indices(f: Family, n: number, quick: boolean): number[] {
  if (!quick || n >= f.fixed) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: n }, (_, k) => Math.floor((k * f.fixed) / n));
}

export function makeCases(seed: number, count: number, families: Family[], env: Env, quick = false): Case[] {
  const cases: Case[] = [];
  const weighted = quick ? families.map((f) => ({ ...f, weight: QUICK_WEIGHTS[f.name] ?? f.weight })) : families;
  for (const [fw, n] of split(count, weighted)) {
    const f = families.find((x) => x.name === fw.name)!;
    for (const i of indices(f, n, quick)) cases.push(caseOf(f, i, seed, env));
  }
  return cases;
}

function caseOf(f: Family, i: number, seed: number, env: Env): Case {
  const c = f.make(i, caseRng(seed, f.name, i), env);
  return Object.assign(c, { family: f.name, id: `${f.name}/${i}` }) as Case;
}

async function runCase(c: Case, lane: Lane, env: Env, work: string, keep: boolean, cli: string): Promise<CaseResult> {
  const dir = fs.mkdtempSync(path.join(work, `${c.id.replace('/', '-')}-`));
  const d: CaseDirs = { dir, model: path.join(dir, 'model'), outside: path.join(dir, 'outside'), sentinels: { bin: '', h5: '', npy: '', json: '' } };
  fs.mkdirSync(d.model);
  fs.mkdirSync(d.outside);
  d.sentinels = { bin: path.join(d.outside, 'sentinel.bin'), h5: path.join(d.outside, 'sentinel.h5'), npy: path.join(d.outside, 'sentinel.npy'), json: path.join(d.outside, 'sentinel.json') };
  const t0 = Date.now();
  try {
    let built;
    try {
      built = await c.build(d);
    } catch (e) {
      return { id: c.id, family: c.family, name: c.name, verdict: { cls: 'ok', why: `not built: ${e instanceof Error ? e.message : e}` }, runs: [], ms: 0, peakKB: 0, skipped: true };
    }
    plantSentinels(env, d);
    const before = snapshot(d.model);
    const runs: RunOutcome[] = [];
    const verdicts: Verdict[] = [];
    for (const argv of built.runs) {
      const r = built.spawn ? await spawnCli(cli, argv, d.model) : await lane.run(argv);
      runs.push(r);
      const v = judgeRun(r, { usage: built.usage });
      verdicts.push(v);
      // The input has failed for good (or a budget stopped it): don't spend another time limit on it.
      if (['hang', 'memory', 'crash'].includes(v.cls)) break;
    }
    const touched = touchedSentinels(d);
    if (touched.length) verdicts.push({ cls: 'outside', why: `read ${touched.map((p) => path.relative(dir, p)).join(', ')}` });
    const changed = changedFiles(d.model, before);
    if (changed.length) verdicts.push({ cls: 'wrote', why: `changed ${changed.map((p) => path.relative(dir, p)).join(', ')}` });
    const codes = runs.map((r) => r.code);
    if (built.expect === 'ok') {
      runs.forEach((r, i) => {
        if (verdicts[i].cls === 'clean') verdicts.push({ cls: 'regression', why: `a valid input failed: ${verdicts[i].message}` });
      });
    }
    if (built.expect === 'error' && runs.length && codes.every((x) => x === 0 || x === 1)) verdicts.push({ cls: 'silent', why: 'a lie was accepted: every run succeeded' });
    const verdict = verdicts.length ? worst(verdicts) : { cls: 'ok' as Cls, why: 'nothing to run' };
    return {
      id: c.id,
      family: c.family,
      name: built.detail ? `${c.name}` : c.name,
      verdict,
      runs: runs.map((r, i) => ({ argv: r.argv.map((a) => (a.startsWith(dir) ? '$CASE' + a.slice(dir.length) : a)), code: r.code, cls: verdicts[i].cls, why: verdicts[i].why, message: verdicts[i].message?.split(dir).join('$CASE'), ms: Math.round(r.ms), peakKB: r.peakKB })),
      ms: Date.now() - t0,
      peakKB: Math.max(0, ...runs.map((r) => r.peakKB)),
      dir: keep ? dir : undefined,
    };
  } finally {
    if (!keep) fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function mainFuzz(): Promise<number> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '1' },
      count: { type: 'string' },
      quick: { type: 'boolean' },
      time: { type: 'string' },
      jobs: { type: 'string', default: '2' },
      family: { type: 'string', multiple: true },
      only: { type: 'string', multiple: true },
      keep: { type: 'boolean' },
      verbose: { type: 'boolean' },
      out: { type: 'string' },
    },
  });
  const seed = Number(values.seed);
  const count = Number(values.count ?? (values.quick ? QUICK_COUNT : 2400));
  const timeLimit = Number(values.time ?? (values.quick ? 120 : 3600)) * 1000;
  const jobs = Math.max(1, Number(values.jobs));
  const env: Env = { root: ROOT, fixtures: path.join(ROOT, 'test', 'fixtures'), corpus: findCorpus(ROOT), cache: '' };
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-inspector-fuzz-'));
  env.cache = work;
  const cli = path.join(ROOT, 'dist', 'cli.js');
  const started = Date.now();
  const lanes = Array.from({ length: jobs }, () => new Lane(childScript));
  try {
    await makeSentinelTemplates(env);
    if (!atimeWorks(work)) console.warn('[fuzz] warning: this filesystem does not update atime: reads outside the folder cannot be detected');
    if (!fs.existsSync(cli)) console.warn('[fuzz] warning: dist/cli.js missing (npm run build): the command-line family will crash');
    let families = FAMILIES;
    if (values.family?.length) families = FAMILIES.filter((f) => values.family!.includes(f.name));
    let cases: Case[];
    if (values.only?.length) {
      cases = values.only.map((id) => {
        const [fam, i] = id.split('/');
        const f = FAMILIES.find((x) => x.name === fam);
        if (!f) throw new Error(`no family ${fam}`);
        return caseOf(f, Number(i), seed, env);
      });
    } else cases = makeCases(seed, count, families, env, !!values.quick);
    console.log(`[fuzz] seed ${seed}, ${cases.length} inputs, ${jobs} lanes, ${RUN_TIMEOUT_MS / 1000} s per run, ${MEMORY_LIMIT_MB} MB per process${env.corpus ? '' : ' (no ../shared/corpus: fixtures only)'}`);
    const results: CaseResult[] = [];
    let next = 0;
    let notRun = 0;
    await Promise.all(
      lanes.map(async (lane) => {
        while (next < cases.length) {
          const c = cases[next++];
          if (Date.now() - started > timeLimit) {
            notRun++;
            continue;
          }
          const r = await runCase(c, lane, env, work, !!values.keep, cli);
          const known = isKnown(r.id, r.name);
          if (known && FAILING.includes(r.verdict.cls)) r.known = known.reason;
          results.push(r);
          if (values.verbose || (FAILING.includes(r.verdict.cls) && !r.known)) {
            console.log(`[fuzz] ${r.verdict.cls.padEnd(10)} ${r.id}  ${r.name.slice(0, 100)}  — ${r.verdict.why.slice(0, 200)}${r.dir ? `  (${r.dir})` : ''}`);
          }
        }
      }),
    );
    results.sort((a, b) => a.family.localeCompare(b.family) || Number(a.id.split('/')[1]) - Number(b.id.split('/')[1]));
    const failing = writeReport(results, {
      seed,
      seconds: (Date.now() - started) / 1000,
      notRun,
      out: values.out ?? path.join(ROOT, 'test-output', 'fuzz'),
      families: FAMILIES.map((f) => f.name),
      knownCount: knownFailures.length,
    });
    return failing > 0 ? 1 : 0;
  } finally {
    for (const l of lanes) l.close();
    if (!values.keep) fs.rmSync(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  mainFuzz().then(
    (code) => process.exit(code),
    (e) => {
      console.error(`[fuzz] ${e instanceof Error ? e.stack : e}`);
      process.exit(2);
    },
  );
}
