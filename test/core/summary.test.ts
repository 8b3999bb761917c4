/**
 * model.summary() line for line: the core renderer against the text real Keras 3 printed
 * (test/fixtures/summary, section S of scripts/make_fixtures.py, at two terminal widths) and the
 * real-world corpus folders' summary.txt (section R, 80 columns).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InspectorError, kerasSummary, openModel, readableMemorySize, summarize } from '../../src/core';
import { main } from '../../src/cli/main';
import { corpusFile, CORPUS_DIR, fixture, ROOT } from './paths';

interface OracleCase {
  file: string;
  columns: number;
  text: string;
}

/** index.json names files by repository path, or "shared-corpus:NAME" for ../shared/corpus/files. */
const resolve = (f: string): string => (f.startsWith('shared-corpus:') ? corpusFile(f.slice('shared-corpus:'.length)) : path.join(ROOT, f));
const HAVE_SHARED = fs.existsSync(CORPUS_DIR);

function oracleCases(): OracleCase[] {
  const index = JSON.parse(fs.readFileSync(fixture('summary', 'index.json'), 'utf8')) as {
    cases: { file: string; texts: Record<string, string> }[];
  };
  const cases: OracleCase[] = [];
  for (const c of index.cases) {
    for (const [cols, name] of Object.entries(c.texts)) {
      cases.push({ file: resolve(c.file), columns: Number(cols), text: fixture('summary', name) });
    }
  }
  const corpus = fixture('corpus');
  for (const dir of fs.readdirSync(corpus).sort()) {
    const d = path.join(corpus, dir);
    const meta = path.join(d, 'meta.json');
    if (!fs.existsSync(path.join(d, 'summary.txt')) || !fs.existsSync(meta)) continue;
    const file = JSON.parse(fs.readFileSync(meta, 'utf8')).file as string;
    cases.push({ file: path.join(d, file), columns: 80, text: path.join(d, 'summary.txt') });
  }
  return cases;
}

const CASES = oracleCases();
const PENDING = (JSON.parse(fs.readFileSync(fixture('summary', 'pending.json'), 'utf8')) as { files: Record<string, string> }).files;
const rel = (p: string): string => path.relative(ROOT, p);

test('the oracle is there: Keras-printed summaries for the Keras cases, the examples and the corpus', () => {
  assert.ok(CASES.length >= 250, `${CASES.length} cases`);
  for (const c of CASES) assert.ok(fs.existsSync(c.file) || (!HAVE_SHARED && c.file.startsWith(CORPUS_DIR)), `${rel(c.file)} is missing`);
});

const results: { file: string; columns: number; equal: boolean }[] = [];

test('pending.json names only oracle cases', () => {
  for (const f of Object.keys(PENDING)) assert.ok(CASES.some((c) => rel(c.file) === f), `${f} is not an oracle case`);
});

for (const c of CASES) {
  const pending = PENDING[rel(c.file)];
  test(`summary of ${rel(c.file)} at ${c.columns} columns is Keras's own text${pending ? ` (pending: ${pending})` : ''}`, async (t) => {
    if (!fs.existsSync(c.file) && !HAVE_SHARED) return t.skip('the shared corpus (../shared/corpus) is not beside this checkout');
    const expected = fs.readFileSync(c.text, 'utf8').replace(/\n+$/, '').split('\n');
    let model;
    try {
      model = await openModel(c.file, { weights: false });
    } catch (e) {
      results.push({ file: rel(c.file), columns: c.columns, equal: false });
      if (pending && e instanceof InspectorError) return; // a reader not built yet, named in pending.json
      throw e;
    }
    const got = kerasSummary(model, summarize(model), { columns: c.columns }).lines;
    const equal = got.join('\n') === expected.join('\n');
    results.push({ file: rel(c.file), columns: c.columns, equal });
    if (!pending) return assert.deepEqual(got, expected);
    assert.ok(!equal, `${rel(c.file)} now matches Keras: remove it from test/fixtures/summary/pending.json`);
    // Still the same model: the title and the totals lines are Keras's.
    assert.equal(got[0], expected[0]);
    assert.deepEqual(got.slice(-3), expected.slice(-3));
  });
}

test('the CLI prints the same lines (80 columns unless --columns)', async () => {
  const c = CASES.find((x) => x.columns === 120 && /functional_branches/.test(x.file)) ?? CASES[0];
  const chunks: string[] = [];
  const code = await main(['summary', c.file, '--columns', String(c.columns)], (t) => chunks.push(t));
  assert.equal(code, 0);
  const expected = fs.readFileSync(c.text, 'utf8').replace(/\n+$/, '');
  assert.ok(chunks.join('\n').startsWith(expected + '\n'), chunks.join('\n'));
  const json: string[] = [];
  assert.equal(await main(['summary', c.file, '--json', '--columns', String(c.columns)], (t) => json.push(t)), 0);
  assert.equal(JSON.parse(json.join('')).summary_text, expected);
});

test('a width Keras could not print at is a usage error, not a crash', async () => {
  await assert.rejects(main(['summary', CASES[0].file, '--columns', '12'], () => {}), /--columns must be a whole number/);
});

test("byte sizes are Keras's readable_memory_size (Python's ties-to-even, not toFixed's ties-up)", () => {
  const index = JSON.parse(fs.readFileSync(fixture('summary', 'index.json'), 'utf8')) as { readable_memory_size: [number, string][] };
  assert.ok(index.readable_memory_size.length > 10);
  for (const [bytes, text] of index.readable_memory_size) assert.equal(readableMemorySize(bytes), text, `${bytes} bytes`);
});

test.after(() => {
  const ok = results.filter((r) => r.equal).length;
  fs.mkdirSync(path.join(ROOT, 'test-output'), { recursive: true });
  fs.writeFileSync(path.join(ROOT, 'test-output', 'summary-oracle.json'), JSON.stringify({ equal: ok, cases: results.length, results }, null, 1));
});

// Files Keras 3 refuses (Keras 1/2 configs): no text to compare, but the table must still be the
// model Keras had once the corpus generator rebuilt it (section C's per-layer records).
const INDEX = JSON.parse(fs.readFileSync(fixture('summary', 'index.json'), 'utf8')) as { refused_by_keras: { file: string; error: string }[] };
const KERAS_LAYERS = new Map(
  (JSON.parse(fs.readFileSync(fixture('corpus', 'summary.json'), 'utf8')).files as { file: string; loaded: boolean; layers: { name: string; class_name: string; params: number }[]; total_params: number }[])
    .filter((f) => f.loaded)
    .map((f) => [f.file, f]),
);
for (const r of INDEX.refused_by_keras) {
  test(`summary of ${r.file}, which Keras 3 refuses (${r.error.slice(0, 60)}…), is a sensible table`, async (t) => {
    const file = resolve(r.file);
    if (!fs.existsSync(file) && !HAVE_SHARED) return t.skip('the shared corpus (../shared/corpus) is not beside this checkout');
    const model = await openModel(file, { weights: false });
    const k = kerasSummary(model, summarize(model));
    const lines = k.lines;
    assert.match(lines[0], /^Model: ".+"$/);
    assert.ok(lines[1].startsWith('┏') && lines.at(-4)?.startsWith('└'), lines.join('\n'));
    assert.ok(lines.every((l) => l.length <= 80), 'fits 80 columns');
    const keras = KERAS_LAYERS.get(path.basename(file));
    assert.ok(keras, `${path.basename(file)} has Keras's per-layer record in test/fixtures/corpus/summary.json`);
    const ours = k.rows.filter((row) => row.className !== 'InputLayer' || keras.layers.some((l) => l.name === row.name));
    assert.deepEqual(ours.map((row) => `${row.className} ${row.params}`), keras.layers.map((l) => `${l.class_name} ${l.params.toLocaleString('en-US')}`));
    assert.equal(k.totals[0].count, keras.total_params);
  });
}
