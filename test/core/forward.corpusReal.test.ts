/**
 * The real-world corpus of section R (test/fixtures/corpus/<owner>__<repo>__<file>/, provenance
 * in sources.json, results in manifest.json): every public model file must open with Keras's
 * parameter total and, with default settings, reproduce the predictions real Keras made for it
 * (atol 1e-4 + rtol 1e-4). Files that need features not built yet are listed in pending.json with
 * the stage they stop at and a phrase the one-line error must contain; a pending file that starts
 * passing fails the test until it is taken off the list.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture } from './paths';
import { openModel } from '../../src/core/formats';
import { loadArrays } from '../../src/core/arrays';
import { summarize } from '../../src/core/shapes';
import { forward, type ForwardOptions } from '../../src/core/forward';
import { verify, type VerifyReport } from '../../src/core/verify';
import { InspectorError, type Model, type NDArray } from '../../src/core/model';

const DIR = fixture('corpus');
const TOL = { atol: 1e-4, rtol: 1e-4 };

interface FileEntry {
  name: string;
  status: string;
  files: { file: string }[];
}
interface Meta {
  file: string;
  count_params: number;
  trainable_params: number;
  inputs: string[];
  outputs: string[];
  outputs_keras3?: string[];
  hard_sigmoid_semantics: 'keras2' | 'keras3';
}
type Stage = 'open' | 'params' | 'forward' | 'verify';
interface Pending {
  stage: Stage;
  /** A phrase the failure line must contain (case-insensitive). */
  expect: string;
  reason: string;
}

const manifest = JSON.parse(fs.readFileSync(path.join(DIR, 'manifest.json'), 'utf8')) as { files: FileEntry[] };
const pending = JSON.parse(fs.readFileSync(path.join(DIR, 'pending.json'), 'utf8')) as { files: Record<string, Pending> };

async function arrays(dir: string, files: string[]): Promise<NDArray[]> {
  const out: NDArray[] = [];
  for (const f of files) out.push((await loadArrays(path.join(dir, f)))[0].array);
  return out;
}

const describe = (rep: VerifyReport): string =>
  rep.outputs
    .filter((o) => !o.pass)
    .map((o) => `${o.name}: ${o.mismatches}/${o.count} off, max |Δ| ${o.maxAbsDiff.toPrecision(3)}`)
    .join('; ');

interface Outcome {
  stage: Stage | 'pass';
  line: string;
  error?: unknown;
  model?: Model;
  xs?: NDArray[];
}

/** Runs open → parameter total → forward → verify and says where it stopped. */
async function attempt(dir: string, meta: Meta): Promise<Outcome> {
  let model: Model;
  try {
    model = await openModel(path.join(dir, meta.file));
  } catch (e) {
    return { stage: 'open', line: e instanceof Error ? e.message : String(e), error: e };
  }
  const s = summarize(model);
  if (s.totalParams !== meta.count_params || s.trainableParams !== meta.trainable_params) {
    return {
      stage: 'params',
      line: `total params ${s.totalParams} (trainable ${s.trainableParams}), Keras: ${meta.count_params} (trainable ${meta.trainable_params})`,
      model,
    };
  }
  const xs = await arrays(dir, meta.inputs);
  let rep: VerifyReport;
  try {
    rep = verify(forward(model, xs).outputs, await arrays(dir, meta.outputs), TOL);
  } catch (e) {
    return { stage: 'forward', line: e instanceof Error ? e.message : String(e), error: e, model, xs };
  }
  if (!rep.pass) return { stage: 'verify', line: `predictions differ: ${describe(rep)}`, model, xs };
  return { stage: 'pass', line: 'ok', model, xs };
}

/** Both hard_sigmoid definitions, where the generator recorded both: each must match its own Y. */
async function checkBothSemantics(dir: string, meta: Meta, model: Model, xs: NDArray[]): Promise<void> {
  const alt = meta.outputs_keras3;
  if (!alt) return;
  const other: ForwardOptions['hardSigmoid'] = meta.hard_sigmoid_semantics === 'keras2' ? 'keras3' : 'keras2';
  const mine = verify(forward(model, xs, { hardSigmoid: meta.hard_sigmoid_semantics }).outputs, await arrays(dir, meta.outputs), TOL);
  assert.ok(mine.pass, `with hard_sigmoid ${meta.hard_sigmoid_semantics}: ${describe(mine)}`);
  const theirs = verify(forward(model, xs, { hardSigmoid: other }).outputs, await arrays(dir, alt), TOL);
  assert.ok(theirs.pass, `with hard_sigmoid ${other}: ${describe(theirs)}`);
}

const names = new Set(manifest.files.map((f) => f.name));
test('real corpus: pending.json names only corpus files', () => {
  for (const k of Object.keys(pending.files)) assert.ok(names.has(k), `pending.json: ${k} is not in manifest.json`);
});

for (const entry of manifest.files) {
  const dir = path.join(DIR, entry.name);
  if (entry.status !== 'reference') {
    test(`real corpus ${entry.name}: listed without reference predictions`, () => {
      assert.ok(pending.files[entry.name], `${entry.name} has status ${entry.status}: list it in pending.json with the reason`);
    });
    continue;
  }
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Meta;
  const p = pending.files[entry.name];
  test(`real corpus ${entry.name}: ${p ? `pending (${p.stage}: ${p.reason})` : "Keras's parameters and predictions"}`, async () => {
    const out = await attempt(dir, meta);
    if (!p) {
      assert.equal(out.stage, 'pass', `${entry.name} stops at ${out.stage}: ${out.line}`);
    } else {
      assert.notEqual(out.stage, 'pass', `${entry.name} now passes: remove it from test/fixtures/corpus/pending.json`);
      assert.equal(out.stage, p.stage, `${entry.name} was expected to stop at ${p.stage} (${p.expect}), stops at ${out.stage}: ${out.line}`);
      assert.ok(out.line.toLowerCase().includes(p.expect.toLowerCase()), `${entry.name}: "${out.line}" does not mention "${p.expect}"`);
      assert.ok(!out.line.includes('\n') && out.line.length <= 400, `${entry.name}: the failure is not one clear line: ${out.line}`);
      if (out.error !== undefined) {
        assert.ok(out.error instanceof InspectorError, `${entry.name}: not a clear error but ${String(out.error)}`);
      }
    }
    if (out.model && out.xs && (out.stage === 'pass' || out.stage === 'verify')) await checkBothSemantics(dir, meta, out.model, out.xs);
  });
}
