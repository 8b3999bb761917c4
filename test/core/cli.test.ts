/**
 * The command line, run as a user runs it (a child process), against files and predictions made by
 * real Keras. Uses the bundled dist/cli.js when it has been built, else the compiled source.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadArrays, writeNpy } from '../../src/core';
import { main } from '../../src/cli/main';
import { fixture, ROOT } from './paths';

const bundled = path.join(ROOT, 'dist', 'cli.js');
const compiled = path.join(ROOT, 'out', 'src', 'cli', 'main.js');
const CLI = fs.existsSync(bundled) ? bundled : compiled;

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** main() in this process (no h5wasm start-up per call), its printed output collected. */
async function runInProcess(...args: string[]) {
  const chunks: string[] = [];
  const code = await main(args, (t) => chunks.push(t + '\n'));
  return { code, stdout: chunks.join('') };
}

const expectedOf = (c: string) => JSON.parse(fs.readFileSync(fixture('keras', c, 'expected.json'), 'utf8'));

for (const c of ['seed_n1', 'stacked', 'relu_state', 'lstm_seq_state', 'bidir_none', 'embedding_mask_lstm', 'functional_branches', 'misc_layers']) {
  for (const file of ['model.h5', 'model.keras']) {
    test(`summary --json of ${c}/${file} equals Keras's model.summary()`, async () => {
      const exp = expectedOf(c);
      const p = fixture('keras', c, file);
      if (!fs.existsSync(p)) return;
      const r = await runInProcess('summary', p, '--json');
      assert.equal(r.code, 0);
      const s = JSON.parse(r.stdout);
      assert.equal(s.total_params, exp.total_params);
      assert.equal(s.trainable_params, exp.trainable_params);
      assert.equal(s.non_trainable_params, exp.non_trainable_params);
      assert.deepEqual(
        s.layers.map((l: any) => [l.name, l.class_name, l.output_shape, l.params]),
        exp.layers.map((l: any) => [l.name, l.class_name, l.output_shape, l.params]),
      );
    });
  }
}

test('summary prints the model.summary() table and the legend in the notebook notation', () => {
  const r = run('summary', fixture('keras', 'seed_n1', 'model.h5'));
  assert.equal(r.code, 0, r.stderr);
  const exp = expectedOf('seed_n1');
  assert.match(r.stdout, /Layer \(type\)/);
  assert.match(r.stdout, new RegExp(`Total params: ${exp.total_params}`));
  assert.match(r.stdout, /T=10 D=3 M=5 K=2/);
  for (const [sym, shape] of [['Wx', '3×5'], ['Wh', '5×5'], ['bh', '5'], ['Wo', '5×2'], ['bo', '2']]) {
    assert.match(r.stdout, new RegExp(`${sym}\\s+\\w+\\s+${shape} `));
  }
});

async function expectClose(actual: unknown, expectedFile: string) {
  const [{ array }] = await loadArrays(expectedFile);
  const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);
  const a = flat(actual);
  assert.equal(a.length, array.data.length);
  a.forEach((x, i) => assert.ok(Math.abs(x - array.data[i]) <= 1e-5 + 1e-4 * Math.abs(array.data[i]), `element ${i}: ${x} vs ${array.data[i]}`));
}

test('predict --json reproduces model.predict (two outputs: output and state)', async () => {
  const dir = fixture('keras', 'relu_state');
  const r = await runInProcess('predict', path.join(dir, 'model.keras'), '--inputs', path.join(dir, 'X.npy'), '--json');
  assert.equal(r.code, 0);
  const o = JSON.parse(r.stdout);
  assert.equal(o.outputs.length, 2);
  await expectClose(o.outputs[0].data, path.join(dir, 'Y0.npy'));
  await expectClose(o.outputs[1].data, path.join(dir, 'Y1.npy'));
});

test('predict --out writes a .npy that holds the predictions', async () => {
  const dir = fixture('keras', 'seed_n15');
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cli-')), 'Y.npy');
  const r = run('predict', path.join(dir, 'model.h5'), '--inputs', path.join(dir, 'X.npy'), '--out', out);
  assert.equal(r.code, 0, r.stderr);
  const [{ array }] = await loadArrays(out);
  await expectClose(Array.from(array.data), path.join(dir, 'Y.npy'));
});

test('predict --samples 1 --seed 0 regenerates the notebook X = np.random.randn(1, 10, 3) after np.random.seed(0)', async () => {
  const dir = fixture('keras', 'seed_n1');
  const r = await runInProcess('predict', path.join(dir, 'model.h5'), '--samples', '1', '--seed', '0', '--json');
  assert.equal(r.code, 0);
  // seed_n1's X.npy is exactly that array (as float32) and Y.npy is Keras's prediction on it.
  await expectClose(JSON.parse(r.stdout).outputs[0].data, path.join(dir, 'Y.npy'));
});

test('verify exits 0 when every output matches', async () => {
  const dir = fixture('keras', 'lstm_seq_state');
  const exp = expectedOf('lstm_seq_state');
  const args = ['verify', path.join(dir, 'model.h5'), '--inputs', path.join(dir, 'X.npy'), ...exp.outputs.flatMap((y: string) => ['--expected', path.join(dir, y)])];
  const r = await runInProcess(...args, '--json');
  assert.equal(r.code, 0, r.stdout);
  const v = JSON.parse(r.stdout);
  assert.equal(v.pass, true);
  assert.equal(v.outputs.length, exp.outputs.length);
});

test('verify exits 1 on wrong predictions and names the worst sample', () => {
  const dir = path.join(ROOT, 'examples', 'seed-simplernn');
  const r = run('verify', path.join(dir, 'model.h5'), '--inputs', path.join(dir, 'X.npy'), '--expected', path.join(dir, 'wrong_predictions.npy'));
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /✗ FAIL/);
  assert.match(r.stdout, /worst: sample \d+/);
});

test('verify finds sidecar X.npy / Y.npy beside the model', () => {
  const r = run('verify', path.join(ROOT, 'examples', 'seed-simplernn', 'model.h5'));
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /✓ PASS/);
});

test('verify --atol/--rtol are honoured', async () => {
  const dir = fixture('keras', 'seed_n15');
  const r = await runInProcess('verify', path.join(dir, 'model.h5'), '--inputs', path.join(dir, 'X.npy'), '--expected', path.join(dir, 'Y.npy'), '--atol', '0', '--rtol', '0', '--json');
  const v = JSON.parse(r.stdout);
  assert.equal(v.atol, 0);
  assert.equal(v.rtol, 0);
  // float64 by hand vs float32 Keras: exact equality is not expected, so a zero tolerance fails.
  assert.equal(r.code, v.pass ? 0 : 1);
  assert.ok(v.outputs[0].max_abs_diff < 1e-5);
});

for (const [what, args] of [
  ['a corrupt file', ['summary', fixture('bad', 'truncated.h5')]],
  ['a non-Keras HDF5 file', ['summary', fixture('bad', 'plain.h5')]],
  ['a missing file', ['summary', '/no/such/model.h5']],
  ['inputs of the wrong shape', ['predict', fixture('keras', 'seed_n1', 'model.h5'), '--inputs', fixture('keras', 'relu_state', 'X.npy')]],
  ['an unknown command', ['explain', 'x.h5']],
  ['an architecture-only file given to predict', ['predict', fixture('json', 'model_config.json')]],
] as const) {
  test(`${what}: exit 2 with one line on stderr, no stack trace`, () => {
    const r = run(...args);
    assert.equal(r.code, 2, r.stdout);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.doesNotMatch(r.stderr, /\bat .*\.js:\d+/);
  });
}

test('errors about a file name the file', () => {
  const p = fixture('bad', 'not_hdf5.h5');
  const r = run('summary', p);
  assert.ok(r.stderr.startsWith(p), r.stderr);
});

test('a problem found after the model was opened names the model file (expected predictions of another shape)', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-inspector-cli-'));
  try {
    const [y] = await loadArrays(fixture('keras', 'seed_n15', 'Y.npy'));
    // Y.npy holds (15, 2): a (15, 1) array of its first 15 values is the wrong shape.
    const wrong = path.join(dir, 'Y_wrong.npy');
    fs.writeFileSync(wrong, writeNpy({ shape: [15, 1], data: Float64Array.from(y.array.data.slice(0, 15)) }, 'float64'));
    const model = fixture('keras', 'seed_n15', 'model.h5');
    await assert.rejects(runInProcess('verify', model, '--inputs', fixture('keras', 'seed_n15', 'X.npy'), '--expected', wrong), (e: Error) => {
      assert.ok(e.message.startsWith(`${model}: `), e.message);
      assert.match(e.message, /shape/);
      return true;
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
