/**
 * The harness's report: counts per family and in total (inputs, correct results, clean errors,
 * unclear errors, crashes, hangs, memory, outside reads, writes, silent lies), peak RSS, and one
 * line per distinct problem (findings.md) with the command that reproduces it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { FAILING, type Cls, type Verdict } from './classify';

export interface CaseResult {
  id: string;
  family: string;
  name: string;
  verdict: Verdict;
  runs: { argv: string[]; code: number | null; cls: Cls; why: string; message?: string; ms: number; peakKB: number }[];
  ms: number;
  peakKB: number;
  dir?: string;
  known?: string;
  skipped?: boolean;
}

const COLS: Cls[] = ['ok', 'clean', 'unclear', 'silent', 'regression', 'crash', 'hang', 'memory', 'outside', 'wrote'];

/** A problem's signature: its class and its message with numbers, paths and quotes blurred. */
function signature(r: CaseResult): string {
  const failing = r.runs.find((x) => x.cls === r.verdict.cls) ?? r.runs[0];
  const text = (failing?.message ?? r.verdict.why)
    .replace(/\$CASE\S*/g, 'FILE')
    .replace(/\/[^\s:'"]+/g, 'PATH')
    .replace(/\d+(\.\d+)?/g, 'N')
    .replace(/"[^"]*"|'[^']*'/g, 'Q')
    .slice(0, 160);
  return `${r.family}|${r.verdict.cls}|${text}`;
}

export function writeReport(results: CaseResult[], o: { seed: number; seconds: number; notRun: number; out: string; families: string[]; knownCount: number }): number {
  const table = new Map<string, Record<Cls, number> & { inputs: number; peakKB: number }>();
  const row = (k: string) => {
    if (!table.has(k)) table.set(k, { inputs: 0, peakKB: 0, ...Object.fromEntries(COLS.map((c) => [c, 0])) } as never);
    return table.get(k)!;
  };
  for (const r of results) {
    if (r.skipped) continue;
    for (const k of [r.family, 'total']) {
      const t = row(k);
      t.inputs++;
      t[r.verdict.cls]++;
      t.peakKB = Math.max(t.peakKB, r.peakKB);
    }
  }
  const lines: string[] = [];
  const head = ['family', 'inputs', ...COLS, 'peak RSS'];
  const body = [...o.families.filter((f) => table.has(f)), 'total'].filter((k) => table.has(k)).map((k) => {
    const t = table.get(k)!;
    return [k, String(t.inputs), ...COLS.map((c) => String(t[c])), `${(t.peakKB / 1024).toFixed(0)} MB`];
  });
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  lines.push(head.map((h, i) => h.padStart(w[i])).join('  '));
  for (const b of body) lines.push(b.map((x, i) => x.padStart(w[i])).join('  '));
  const failing = results.filter((r) => FAILING.includes(r.verdict.cls) && !r.known);
  const known = results.filter((r) => r.known);
  const skipped = results.filter((r) => r.skipped);
  lines.push('');
  lines.push(`seed ${o.seed}: ${results.length - skipped.length} inputs in ${o.seconds.toFixed(0)} s; failing ${failing.length}, known failures ${known.length}${o.notRun ? `, ${o.notRun} not run (time limit)` : ''}${skipped.length ? `, ${skipped.length} not built` : ''}`);
  console.log(lines.join('\n'));
  for (const s of skipped.slice(0, 5)) console.log(`[fuzz] not built: ${s.id} ${s.name}: ${s.verdict.why}`);

  // Distinct problems, one line each, with a reproducer.
  const seen = new Map<string, CaseResult[]>();
  for (const r of [...failing, ...known]) {
    const k = signature(r);
    if (!seen.has(k)) seen.set(k, []);
    seen.get(k)!.push(r);
  }
  const md = [`# Fuzz findings (seed ${o.seed}, ${results.length} inputs)`, '', '```', ...lines, '```', ''];
  md.push('| class | family | cases | example | reproduce | message / behaviour |', '|---|---|---|---|---|---|');
  for (const rs of seen.values()) {
    const r = rs[0];
    const run = r.runs.find((x) => x.cls === r.verdict.cls);
    const msg = (run?.message ?? r.verdict.why).replace(/\|/g, '\\|').replace(/\n/g, ' ').slice(0, 300);
    md.push(`| ${r.verdict.cls}${r.known ? ' (known)' : ''} | ${r.family} | ${rs.length} | ${r.name.replace(/\|/g, '\\|').slice(0, 120)} | \`npm run fuzz -- --seed ${o.seed} --only ${r.id} --keep\` | ${msg} |`);
  }
  fs.mkdirSync(o.out, { recursive: true });
  fs.writeFileSync(path.join(o.out, 'findings.md'), md.join('\n') + '\n');
  fs.writeFileSync(path.join(o.out, 'results.json'), JSON.stringify({ seed: o.seed, seconds: o.seconds, table: Object.fromEntries(table), results }, null, 1));
  console.log(`[fuzz] ${seen.size} distinct problems: ${path.join(o.out, 'findings.md')}`);
  return failing.length;
}
