/**
 * Issue 9, what we generate and print: hostile names from a model file stay data in the NumPy
 * replication, the notebook, the Markdown report and notifications. The hostile model is built by
 * the test (RNN Inspector JSON in a private temp folder); the generated Python is run with python3
 * (NumPy only) in an empty folder, and must print nothing but the model's numbers, create no file,
 * and reproduce the core's forward pass. Formats whose replication needs h5py / Keras are checked
 * with Python's own parser (ast): only the expected imports, no other module's name as code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { forward, notifyText, openModel, pyStr, pyComment, summarize, writeNpy, type Model, type NDArray } from '../../src/core';
import { replicationPython, type ReplicationOptions } from '../../src/extension/replication';
import { replicationNotebook } from '../../src/extension/notebook';
import { markdownReport } from '../../src/extension/report';
import { modelView } from '../../src/extension/view';

/** The names of issue 9, one per layer. */
const NAMES = {
  rnn1: 'x\nimport os; os.system("touch PWNED")',
  repeat: "'''",
  rnn2: '"""',
  dense1: '\\',
  act: '</script>',
  drop: '```\n## injected heading\n<img src=x onerror=alert(1)>\n```',
  dense2: '[click](command:workbench.action.quit)',
};

/** Deterministic small weights (an LCG), so the test needs no Python to build its model. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}
const matrix = (r: () => number, rows: number, cols: number): number[][] => Array.from({ length: rows }, () => Array.from({ length: cols }, r));
const vector = (r: () => number, n: number): number[] => Array.from({ length: n }, r);

const T = 4;
const D = 3;

/** An RNN Inspector JSON model: SimpleRNN → RepeatVector → SimpleRNN → Dense → Activation → Dropout → Dense. */
function hostileJson(repeatN: unknown = 3): unknown {
  const r = lcg(9);
  const layer = (class_name: string, config: Record<string, unknown>) => ({ class_name, config });
  return {
    format: 'rnn-inspector',
    version: 1,
    keras_version: '3.15.1',
    model_config: {
      class_name: 'Sequential',
      config: {
        name: 'hostile',
        layers: [
          layer('InputLayer', { name: 'input_layer', batch_shape: [null, T, D] }),
          layer('SimpleRNN', { name: NAMES.rnn1, units: 2, activation: 'tanh', use_bias: true, return_sequences: false }),
          layer('RepeatVector', { name: NAMES.repeat, n: repeatN }),
          layer('SimpleRNN', { name: NAMES.rnn2, units: 3, activation: 'tanh', use_bias: true, return_sequences: false }),
          layer('Dense', { name: NAMES.dense1, units: 2, activation: 'linear', use_bias: true }),
          layer('Activation', { name: NAMES.act, activation: 'tanh' }),
          layer('Dropout', { name: NAMES.drop, rate: 0.5 }),
          layer('Dense', { name: NAMES.dense2, units: 2, activation: 'linear', use_bias: true }),
        ],
      },
    },
    weights: {
      [NAMES.rnn1]: [matrix(r, D, 2), matrix(r, 2, 2), vector(r, 2)],
      [NAMES.rnn2]: [matrix(r, 2, 3), matrix(r, 3, 3), vector(r, 3)],
      [NAMES.dense1]: [matrix(r, 3, 2), vector(r, 2)],
      [NAMES.dense2]: [matrix(r, 2, 2), vector(r, 2)],
    },
  };
}

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-inspector-hostile-outputs-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

async function openHostile(dir: string, repeatN?: unknown): Promise<Model> {
  const file = path.join(dir, 'model.json');
  fs.writeFileSync(file, JSON.stringify(hostileJson(repeatN)));
  return openModel(file);
}

/** Python 3 with NumPy, or the reason it cannot run. */
function python(): { ok: true } | { ok: false; why: string } {
  const r = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
  if (r.error) return { ok: false, why: 'python3 is not installed: the generated Python is not run' };
  if (r.status !== 0) return { ok: false, why: 'python3 has no NumPy: the generated Python is not run' };
  return { ok: true };
}

/** Every file below a folder (relative paths), to see that running the code created nothing. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      out.push(path.relative(dir, p));
      if (e.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

/** Runs Python source in an empty folder; returns stdout, after checking that no file appeared. */
function runPython(source: string, dir: string): string {
  const work = fs.mkdtempSync(path.join(dir, 'run-'));
  const script = path.join(work, 'replication.py');
  fs.writeFileSync(script, source);
  const before = listing(work);
  const r = spawnSync('python3', [script], { cwd: work, encoding: 'utf8', timeout: 60_000, env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' } });
  assert.equal(r.status, 0, `python3 failed:\n${r.stderr}\n--- source ---\n${source}`);
  assert.deepEqual(listing(work), before, 'running the generated code created a file');
  assert.ok(!fs.existsSync(path.join(work, 'PWNED')) && !fs.existsSync(path.join(process.cwd(), 'PWNED')), 'the payload ran');
  return r.stdout;
}

/**
 * stdout of the replication holds only: "<Wx|Wh|bh|Wo|bo><i> (<shape>)" lines, NumPy's print of
 * the result (numbers and brackets), and "max |Δ| = <number>". Returns the numbers of the result.
 */
function onlyNumbers(stdout: string): { values: number[]; maxDelta: number } {
  const values: number[] = [];
  let maxDelta = NaN;
  for (const line of stdout.split('\n')) {
    if (!line.trim()) continue;
    if (/^(Wx|Wh|bh|Wo|bo)\d* \((\d+, )*\d+,?\)$/.test(line)) continue;
    const m = /^max \|Δ\| = ([-+.\deE]+)$/.exec(line);
    if (m) {
      maxDelta = Number(m[1]);
      continue;
    }
    assert.match(line, /^[\s[\]\d.eE+-]+$/, `a line that is not the model's numbers: ${JSON.stringify(line)}`);
    for (const tok of line.replace(/[[\]]/g, ' ').trim().split(/\s+/)) values.push(Number(tok));
  }
  return { values, maxDelta };
}

/** Inputs (N=2, T, D) and the core's forward pass on them, written as .npy for the replication. */
function samples(model: Model, dir: string): { opts: ReplicationOptions; expected: NDArray } {
  const r = lcg(3);
  const X: NDArray = { shape: [2, T, D], data: Float64Array.from({ length: 2 * T * D }, r) };
  const Y = forward(model, [X]).outputs[0].array;
  const inputsPath = path.join(dir, 'X.npy');
  const expectedPath = path.join(dir, 'Y.npy');
  fs.writeFileSync(inputsPath, writeNpy(X, 'float64'));
  fs.writeFileSync(expectedPath, writeNpy(Y, 'float64'));
  return { opts: { seed: 0, samples: 2, timesteps: T, perSample: [T, D], inputsPath, expectedPath }, expected: Y };
}

function checkRun(stdout: string, expected: NDArray): void {
  const { values, maxDelta } = onlyNumbers(stdout);
  assert.equal(values.length, expected.data.length, stdout);
  values.forEach((v, i) => assert.ok(Math.abs(v - expected.data[i]) < 1e-7, `value ${i}: ${v} vs ${expected.data[i]}`));
  assert.ok(maxDelta < 1e-12, `max |Δ| = ${maxDelta}`);
}

test('hostile names: the NumPy replication runs, prints only the model numbers, creates no file', async (t) => {
  const py = python();
  const dir = tempDir(t);
  const model = await openHostile(dir);
  assert.deepEqual(model.layers.filter((l) => !l.implicit).map((l) => l.name).slice(-7), Object.values(NAMES));
  const { opts, expected } = samples(model, dir);
  const source = replicationPython(model, opts);
  // Before running anything: no hostile name is a line of its own, and line 1 fixes the encoding.
  assert.equal(source.split('\n')[0], '# -*- coding: utf-8 -*-');
  assert.ok(!source.split('\n').some((l) => /^\s*import os/.test(l)), source);
  if (!py.ok) return t.skip(py.why);
  checkRun(runPython(source, dir), expected);
});

test('hostile names: the notebook export is JSON whose code cells run to the same numbers', async (t) => {
  const py = python();
  const dir = tempDir(t);
  const model = await openHostile(dir);
  const { opts, expected } = samples(model, dir);
  const nb = JSON.parse(replicationNotebook(replicationPython(model, opts), `${NAMES.drop}.json`, `Letters: ${NAMES.dense2}`));
  const markdown = nb.cells.filter((c: any) => c.cell_type === 'markdown').map((c: any) => c.source.join('')).join('\n');
  // The title's name is one escaped line: no heading, fence, HTML or link of its own.
  assert.ok(!/^#{1,6} (?!NumPy replication|The )/m.test(markdown), markdown);
  assert.ok(!/(^|[^\\])[<[]/.test(markdown.replace(/\\\\/g, '')), markdown);
  const code = nb.cells.filter((c: any) => c.cell_type === 'code').map((c: any) => c.source.join('')).join('\n\n');
  if (!py.ok) return t.skip(py.why);
  checkRun(runPython(code, dir), expected);
});

/** What Python's parser sees: the modules imported and every name / attribute used as code. */
function pythonAst(source: string): { imports: string[]; names: string[]; strings: string[] } {
  const prog = [
    'import ast, json, sys',
    'tree = ast.parse(sys.stdin.read())',
    'imports, names, strings = set(), set(), []',
    'for n in ast.walk(tree):',
    '    if isinstance(n, ast.Import): imports.update(a.name.split(".")[0] for a in n.names)',
    '    elif isinstance(n, ast.ImportFrom): imports.add((n.module or "").split(".")[0])',
    '    elif isinstance(n, ast.Name): names.add(n.id)',
    '    elif isinstance(n, ast.Attribute): names.add(n.attr)',
    '    elif isinstance(n, ast.Constant) and isinstance(n.value, str): strings.append(n.value)',
    'print(json.dumps({"imports": sorted(imports), "names": sorted(names), "strings": strings}))',
  ].join('\n');
  const r = spawnSync('python3', ['-c', prog], { input: source, encoding: 'utf8' });
  assert.equal(r.status, 0, `the generated code does not parse:\n${r.stderr}\n${source}`);
  return JSON.parse(r.stdout);
}

for (const [id, allowed] of [
  ['keras-h5', ['numpy', 'keras']],
  ['keras-v3-zip', ['numpy', 'keras']],
  ['keras-h5-weights', ['numpy', 'h5py']],
  ['keras-v3-weights', ['numpy', 'h5py']],
  ['json-notebook', ['numpy', 'json']],
] as const) {
  test(`hostile names: the replication for a ${id} file keeps every name a string literal (Python's ast)`, async (t) => {
    if (!python().ok) return t.skip(python().ok ? '' : (python() as { why: string }).why);
    const dir = tempDir(t);
    const model = await openHostile(dir);
    const as: Model = { ...model, format: { ...model.format, id }, source: { ...model.source, path: path.join(dir, `${NAMES.rnn1}.h5`) } };
    const src = replicationPython(as, { seed: 0, samples: 2, timesteps: T, perSample: [T, D] });
    const ast = pythonAst(src);
    assert.deepEqual(ast.imports.filter((m) => !allowed.includes(m as never)), [], 'an import the replication does not write');
    assert.ok(!ast.names.includes('os') && !ast.names.includes('system'), `a name from the file became code: ${ast.names.join(', ')}`);
    if (id === 'keras-h5' || id === 'keras-v3-zip') {
      for (const name of [NAMES.rnn1, NAMES.rnn2, NAMES.dense1, NAMES.dense2]) assert.ok(ast.strings.includes(name), `get_layer(${JSON.stringify(name)}) as data`);
    }
    assert.ok(ast.strings.includes(as.source.path), 'the file name is one string literal');
  });
}

test('RepeatVector n that is not a whole number is refused with a clear message, never written as code', async (t) => {
  const dir = tempDir(t);
  for (const n of ['3; import os', 1e400, 2.5, -1, null]) {
    let model: Model;
    try {
      model = await openHostile(fs.mkdtempSync(path.join(dir, 'n-')), n);
    } catch (e) {
      // The config reader may refuse it first: then in words, naming n.
      assert.match((e as Error).message, /\bn\b/, String(e));
      continue;
    }
    assert.throws(
      () => replicationPython(model, { seed: 0, samples: 2, timesteps: T, perSample: [T, D] }),
      (e: Error) => /repeat count n of layer .* (must be a whole number ≥ 1, but the file gives|is not recorded in the file)/.test(e.message) && !e.message.includes('\n'),
      `n = ${JSON.stringify(n)}`,
    );
  }
});

test('pyStr: Python reads back exactly the string, for quotes, backslashes, controls, bidi and non-BMP text', (t) => {
  if (!python().ok) return t.skip((python() as { why: string }).why);
  const cases = ['plain', "'''", '"""', '\\', '\\"', 'a\nb\r\nc', '\u0000\u0007\u001b[2J\u007f\u0085', '\u2028\u2029', '\u202e\u2066evil\u2069', '\ufeff\u200b', '😀 𝔘𝔫𝔦 ü 中文', '\ud800 lone', `x")\nimport os #`];
  const r = spawnSync('python3', ['-c', `import json\nprint(json.dumps([${cases.map(pyStr).join(', ')}]))`], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), cases);
  for (const c of cases) assert.ok(!/[\n\r\u2028\u2029\u0085]/.test(pyComment(c)), `one comment line for ${JSON.stringify(c)}`);
});

test('the Markdown report: hostile names stay text in headings, tables and code fences', async (t) => {
  const dir = tempDir(t);
  const model = await openHostile(dir);
  const v = modelView(model, summarize(model), { inputs: [], expected: [] });
  const md = markdownReport(v, undefined, new Date(0));
  const lines = md.split('\n');
  // Code fences: pair an opening fence with the next line of at least as many backticks.
  const fenced = new Set<number>();
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})/.exec(lines[i]);
    if (!open) continue;
    let j = i + 1;
    while (j < lines.length && !new RegExp(`^\`{${open[1].length},}\\s*$`).test(lines[j])) j++;
    assert.ok(j < lines.length, `fence at line ${i + 1} never closes`);
    for (let k = i; k <= j; k++) fenced.add(k);
    i = j;
  }
  // The summary text keeps the names as Keras prints them, inside a fence.
  assert.ok(md.includes(v.summaryText.split('\n').find((l) => l.includes('```'))!), 'the summary text is inside the report');
  const prose = lines.filter((_, i) => !fenced.has(i));
  const headings = prose.filter((l) => /^\s{0,3}#{1,6}\s/.test(l));
  const weighted = v.layers.filter((l) => l.weights.length || l.inner?.length).length;
  assert.equal(headings.filter((h) => h.startsWith('### ')).length, weighted, headings.join('\n'));
  assert.ok(headings.every((h) => /^(# RNN Inspector report|## (Dimensions|Summary|Layers|Forward pass)|### )/.test(h)), headings.join('\n'));
  for (const l of prose) {
    assert.ok(!/(^|[^\\])</.test(l), `raw HTML: ${l}`);
    assert.ok(!/(^|[^\\])\]\(/.test(l) && !/(^|[^\\])\[/.test(l.replace(/^\s*\|?/, '')), `a link: ${l}`);
    assert.ok(!/(^|[^\\])`/.test(l.replace(/^- File: `+[^`]*`+/, '')), `a code span: ${l}`);
  }
});

/** VS Code's own notification link syntax (src/vs/base/common/linkedText.ts, LINK_REGEX). */
const VSCODE_LINK = /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;

test('notification texts: no file-derived name forms a VS Code command link', () => {
  for (const s of [NAMES.dense2, `layer "${NAMES.dense2}" (Dense)`, '[a](https://x.y) [b](file:///etc/passwd)', '\\[x](command:y)', '`code` [x]\n(command:y)']) {
    const text = notifyText(s);
    assert.equal(text.match(VSCODE_LINK), null, text);
    assert.ok(!text.includes('\n'));
  }
  assert.equal(notifyText('model.h5: layer "lstm" (LSTM)'), 'model.h5: layer "lstm" \\(LSTM\\)');
});
