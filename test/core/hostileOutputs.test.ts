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
import { forward, loadArrays, notifyText, verify, openModel, pyStr, pyComment, summarize, writeNpy, type Model, type NDArray } from '../../src/core';
import { replicationPython, type ReplicationOptions } from '../../src/extension/replication';
import { replicationNotebook } from '../../src/extension/notebook';
import { markdownReport, verdictLine } from '../../src/extension/report';
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

// math: the replication's exact gelu uses math.erf.
for (const [id, allowed] of [
  ['keras-h5', ['math', 'numpy', 'keras']],
  ['keras-v3-zip', ['math', 'numpy', 'keras']],
  ['keras-h5-weights', ['math', 'numpy', 'h5py']],
  ['keras-v3-weights', ['math', 'numpy', 'h5py']],
  ['json-notebook', ['math', 'numpy', 'json']],
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

// ---- The command line -------------------------------------------------------------------------

const ROOT_DIR = path.resolve(__dirname, '..', '..', '..');
const BUNDLED = path.join(ROOT_DIR, 'dist', 'cli.js');
const COMPILED = path.join(ROOT_DIR, 'out', 'src', 'cli', 'main.js');
const CLI = fs.existsSync(BUNDLED) ? BUNDLED : COMPILED;
const SEED = path.join(ROOT_DIR, 'test', 'fixtures', 'keras', 'seed_n1');

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string; ms: number } {
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ms: Date.now() - t0 };
}

/** One line on stderr, the exit code, no stack trace and none of the raw texts of issue 9. */
function oneCleanLine(r: ReturnType<typeof cli>, code: number, problem: RegExp): void {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], problem);
  assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+|ENOENT|EISDIR|ambiguous|Invalid typed array|Cannot read properties|is not a function/);
}

test('CLI arguments: each mistake is one line naming the option or file, exit code 2', () => {
  const m = path.join(SEED, 'model.h5');
  const cases: [string[], RegExp][] = [
    [['predict', m, '--samples', '-1'], /--samples must be a whole number from 1 to 100,000 \(got "-1"\)/],
    [['predict', m, '--samples=-1'], /--samples must be a whole number from 1/],
    [['predict', m, '--samples', 'abc'], /--samples must be a whole number .*"abc"/],
    [['predict', m, '--samples', '1e12'], /--samples must be a whole number .*"1e12"/],
    [['predict', m, '--samples', '0'], /--samples must be a whole number/],
    [['predict', m, '--seed', 'x'], /--seed must be a whole number from 0 to 4,294,967,295 \(got "x"\)/],
    [['predict', m, '--seed', '-5'], /--seed must be a whole number/],
    [['predict', m, '--samples'], /--samples needs a value/],
    [['summary', m, '--no-such-option'], /unknown option --no-such-option/],
    [['summary', m, '--config', '/no/such/arch.json'], /^\/no\/such\/arch\.json: no such file \(--config\)$/],
    [['summary', m, '--config', SEED], /: is a folder, not a file \(--config\)$/],
    [['predict', m, '--inputs', '/no/such/X.npy'], /^\/no\/such\/X\.npy: no such file \(--inputs\)$/],
    [['predict', m, '--inputs', SEED], /: is a folder, not a file \(--inputs\)$/],
    [['verify', m, '--inputs', path.join(SEED, 'X.npy'), '--expected', SEED], /: is a folder, not a file \(--expected\)$/],
    [['summary', '/no/such/model.h5'], /^\/no\/such\/model\.h5: no such file$/],
    [['summary', ''], /the MODEL file name is empty/],
    [['predict', m, '--inputs', ''], /--inputs is given an empty file name/],
    [['predict', m, '--out', ''], /--out is given an empty file name/],
    [['summary', m, '--out', 'x.npy'], /--out is for predict and gradients, not summary/],
    [['predict', m, '--out', '/no/such/dir/Y.npy'], /its folder \/no\/such\/dir does not exist \(--out\)/],
    ...(fs.existsSync('/dev/full') ? [[['predict', m, '--out', '/dev/full'], /^\/dev\/full: cannot write the file: no space left on the device \(--out\)$/] as [string[], RegExp]] : []),
    [['summary', `/tmp/${'a'.repeat(5000)}.h5`], /: the file name is too long for this system$/],
  ];
  for (const [args, problem] of cases) {
    const r = cli(...args);
    oneCleanLine(r, 2, problem);
    assert.ok(r.ms < 20_000, `${args.join(' ')} took ${r.ms} ms`);
  }
});

test('--out never overwrites what the command reads (compared as files on disk), and says why', (t) => {
  const dir = tempDir(t);
  for (const f of ['model.h5', 'X.npy', 'Y.npy']) fs.copyFileSync(path.join(SEED, f), path.join(dir, f));
  const model = path.join(dir, 'model.h5');
  fs.writeFileSync(path.join(dir, 'arch.json'), '{}');
  fs.linkSync(model, path.join(dir, 'hard.h5'));
  fs.symlinkSync(model, path.join(dir, 'soft.npy'));
  const tfjs = path.join(dir, 'tfjs');
  fs.cpSync(path.join(ROOT_DIR, 'test', 'fixtures', 'json', 'tfjs_seed_n15'), tfjs, { recursive: true });
  const inputs = path.join(dir, 'inputs.npy');
  fs.copyFileSync(path.join(SEED, 'X.npy'), inputs);
  const cases: [string[], string, RegExp][] = [
    [['predict', model], model, /--out would overwrite the model, which this command reads/],
    [['predict', model], path.join(dir, 'X.npy'), /--out would overwrite the inputs found beside the model/],
    [['predict', model, '--inputs', inputs], inputs, /--out would overwrite --inputs/],
    [['predict', model], path.join(dir, 'hard.h5'), /--out would overwrite the model \(.*the same file\)/],
    [['predict', model], path.join(dir, 'soft.npy'), /--out would overwrite the model \(.*the same file\)/],
    [['predict', model], path.join(dir, 'arch.json'), /--out would overwrite a model, weights or config file beside the model/],
    [['predict', model], dir, /is a folder: --out needs a file name/],
    [['gradients', model], model, /--out would overwrite the model/],
    [['predict', tfjs], path.join(tfjs, 'group1-shard1of1.bin'), /--out would overwrite a weight shard of the model/],
    [['predict', path.join(tfjs, 'model.json')], path.join(tfjs, 'model.json'), /--out would overwrite the model/],
  ];
  const stamp = (p: string) => (fs.statSync(p).isDirectory() ? fs.readdirSync(p).sort().join(',') : `${fs.statSync(p).mtimeMs}:${fs.readFileSync(p).toString('base64')}`);
  for (const [args, out, problem] of cases) {
    const before = stamp(out);
    oneCleanLine(cli(...args, '--out', out), 2, problem);
    assert.equal(stamp(out), before, `${out} was changed`);
  }
  // A new file beside the model is written.
  const fresh = path.join(dir, 'pred.npy');
  assert.equal(cli('predict', model, '--out', fresh).code, 0);
  assert.ok(fs.statSync(fresh).size > 0);
});

/** Everything termSafe must keep from a terminal. */
const TERMINAL_RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

test('CLI prints no terminal control character from a layer name or file name, and --json stays exact', (t) => {
  const dir = tempDir(t);
  const names = ['a\u001b[2J\u001b]0;pwned\u0007', 'b\u202eevil\u2066', 'c\u009b31m\r'];
  const r = lcg(5);
  const json = {
    format: 'rnn-inspector',
    version: 1,
    model_config: {
      class_name: 'Sequential',
      config: {
        name: 'seq\u001b[31m',
        layers: [
          { class_name: 'InputLayer', config: { name: 'input_layer', batch_shape: [null, T, D] } },
          { class_name: 'SimpleRNN', config: { name: names[0], units: 2 } },
          { class_name: 'Dense', config: { name: names[1], units: 2 } },
          { class_name: 'Dense', config: { name: names[2], units: 1 } },
        ],
      },
    },
    weights: { [names[0]]: [matrix(r, D, 2), matrix(r, 2, 2), vector(r, 2)], [names[1]]: [matrix(r, 2, 2), vector(r, 2)], [names[2]]: [matrix(r, 2, 1), vector(r, 1)] },
  };
  const file = path.join(dir, 'm\u001b]0;title\u0007\u202e.json');
  fs.writeFileSync(file, JSON.stringify(json));
  for (const args of [['summary', file], ['predict', file, '--samples', '2'], ['gradients', file, '--targets', file]]) {
    const out = cli(...args);
    assert.ok(!TERMINAL_RAW.test(out.stdout + out.stderr), `${args[0]}: raw control characters in ${JSON.stringify(out.stdout + out.stderr)}`);
  }
  const s = cli('summary', file);
  assert.equal(s.code, 0, s.stderr);
  assert.ok(s.stdout.includes('a\\u001b[2J\\u001b]0;pwned\\u0007'), s.stdout);
  const j = cli('summary', file, '--json');
  assert.ok(!TERMINAL_RAW.test(j.stdout));
  assert.deepEqual(JSON.parse(j.stdout).layers.map((l: { name: string }) => l.name).slice(-3), names);
  const missing = cli('summary', path.join(dir, 'gone\u001b[2J.h5'));
  oneCleanLine(missing, 2, /gone\\u001b\[2J\.h5: no such file/);
});

// ---- NaN / Inf --------------------------------------------------------------------------------

/** seed_n1's model.h5 with two NaN written into recurrent_kernel (h5wasm, in a temp copy). */
async function nanModel(dir: string): Promise<string> {
  const h5wasm = ((await import('h5wasm/node')) as any).default ?? (await import('h5wasm/node'));
  await h5wasm.ready;
  const file = path.join(dir, 'nan.h5');
  fs.copyFileSync(path.join(SEED, 'model.h5'), file);
  const f = new h5wasm.File(file, 'a');
  try {
    const ds = f.get('model_weights/simple_rnn/simple_rnn/simple_rnn_cell/recurrent_kernel');
    const v = Float32Array.from(ds.value as Float32Array);
    v[1] = NaN;
    v[7] = NaN;
    ds.write_slice([[0, 5], [0, 5]], v);
  } finally {
    f.close();
  }
  return file;
}

test('NaN in the weights: verify says which weight and where h_t first becomes NaN, not a bare mismatch', async (t) => {
  const dir = tempDir(t);
  const file = await nanModel(dir);
  const r = cli('verify', file, '--inputs', path.join(SEED, 'X.npy'), '--expected', path.join(SEED, 'Y.npy'));
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /Layer "simple_rnn": the weights hold 2 NaN values in recurrent_kernel\./);
  assert.match(r.stdout, /layer "simple_rnn", time step 1: h_t is NaN \(the weights hold 2 NaN values in recurrent_kernel\)/);
  assert.match(r.stdout, /Result: NOT VERIFIED: the manual forward pass gives NaN \/ Inf/);
  assert.doesNotMatch(r.stdout, /Result: MISMATCH/);
  const j = JSON.parse(cli('verify', file, '--inputs', path.join(SEED, 'X.npy'), '--expected', path.join(SEED, 'Y.npy'), '--json').stdout);
  assert.equal(j.pass, false);
  assert.deepEqual(j.outputs[0].non_finite, { manual: 2, expected: 0 });
  assert.ok(j.non_finite_notes.some((n: string) => n.includes('time step 1: h_t is NaN')));
});

test('NaN / Inf in the inputs and in the expected predictions are named with their first index', async (t) => {
  const dir = tempDir(t);
  const X = (await loadArrays(path.join(SEED, 'X.npy')))[0].array;
  const Y = (await loadArrays(path.join(SEED, 'Y.npy')))[0].array;
  const xs = { shape: X.shape, data: Float64Array.from(X.data) };
  // Time step 3 of sample 0, feature 1: h_1, h_2 stay finite, h_3 is the first NaN.
  xs.data[2 * X.shape[2] + 1] = NaN;
  const ys = { shape: Y.shape, data: Float64Array.from(Y.data) };
  ys.data[1] = Infinity;
  fs.writeFileSync(path.join(dir, 'Xnan.npy'), writeNpy(xs, 'float64'));
  fs.writeFileSync(path.join(dir, 'Yinf.npy'), writeNpy(ys, 'float64'));
  const m = path.join(SEED, 'model.h5');
  const a = cli('verify', m, '--inputs', path.join(dir, 'Xnan.npy'), '--expected', path.join(SEED, 'Y.npy'));
  assert.equal(a.code, 1);
  assert.match(a.stdout, /The input holds 1 NaN value \(first at sample 0, index \[0, 2, 1\]\)/);
  assert.match(a.stdout, /layer "simple_rnn", time step 3: h_t is NaN \(its input holds 1 NaN value/);
  const b = cli('verify', m, '--inputs', path.join(SEED, 'X.npy'), '--expected', path.join(dir, 'Yinf.npy'));
  assert.equal(b.code, 1);
  assert.match(b.stdout, /The expected predictions hold 1 ±Inf value \(first at sample 0, index \[0, 1\]\): NaN never matches/);
  assert.match(b.stdout, /Result: MISMATCH: the expected predictions hold NaN \/ Inf/);
  const p = cli('predict', m, '--inputs', path.join(dir, 'Xnan.npy'));
  assert.equal(p.code, 0);
  assert.match(p.stdout, /Note: The manual forward pass gives NaN \/ Inf from sample 0: layer "simple_rnn", time step 3/);
});

test('the panel / notification verdict names NaN / Inf instead of a max |Δ| of NaN', () => {
  const a = { shape: [2, 2], data: Float64Array.from([0.1, NaN, 0.3, 0.4]) };
  const e = { shape: [2, 2], data: Float64Array.from([0.1, 0.2, 0.3, 0.4]) };
  const run = (actual: NDArray, expected: NDArray) => ({ samples: 2, verify: verify([actual], [expected]) }) as unknown as Parameters<typeof verdictLine>[0];
  assert.match(verdictLine(run(a, e)), /^✗ not verified: the manual forward pass gives 1 NaN \/ Inf value/);
  assert.match(verdictLine(run(e, { ...e, data: Float64Array.from([0.1, Infinity, 0.3, 0.4]) })), /^✗ does not match: the expected predictions hold 1 NaN \/ Inf value/);
  assert.match(verdictLine(run(e, e)), /^✓ matches/);
});

test('a FIFO or device given as a file option is refused without reading it', (t) => {
  const dir = tempDir(t);
  const fifo = path.join(dir, 'arch.json');
  if (spawnSync('mkfifo', [fifo]).status !== 0) return t.skip('mkfifo is not available');
  const m = path.join(SEED, 'model.h5');
  for (const [opt, file] of [['--config', fifo], ['--inputs', fifo], ['--inputs', '/dev/zero'], ['--expected', '/dev/urandom']] as const) {
    const args = opt === '--config' ? ['summary', m, opt, file] : ['verify', m, '--inputs', opt === '--inputs' ? file : path.join(SEED, 'X.npy'), ...(opt === '--expected' ? [opt, file] : [])];
    const r = cli(...args);
    oneCleanLine(r, 2, new RegExp(`is not a regular file.*\\(${opt}\\)`));
    assert.ok(r.ms < 20_000, `${opt} ${file}: ${r.ms} ms`);
  }
});
