/**
 * rnn-inspector gradients: --json equals TensorFlow's GradientTape (the section G fixtures), in
 * Keras's trainable_weights order with Keras 3 paths; the text names gradients in the user's
 * notation; --check reports the finite-difference agreement; --out writes an .npz; bad input → 2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadArrays } from '../../src/core';
import { main } from '../../src/cli/main';
import { ROOT } from './paths';
import { G, loadCase } from './gradientsCase';

async function cli(...args: string[]) {
  const chunks: string[] = [];
  const code = await main(args, (t) => chunks.push(t + '\n'));
  return { code, stdout: chunks.join('') };
}
const flat = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flat) : [v as number]);

for (const c of ['lstm', 'bidir_concat', 'embedding_sparse', 'gru_two_outputs']) {
  test(`gradients --json of ${c} equals GradientTape`, async () => {
    const { exp } = await loadCase(c);
    const args = ['gradients', G(c, 'model.keras'), '--loss', exp.loss, '--json'];
    for (const f of exp.inputs) args.push('--inputs', G(c, f));
    for (const f of exp.targets) args.push('--targets', G(c, f));
    const r = await cli(...args);
    assert.equal(r.code, 0);
    const j = JSON.parse(r.stdout);
    assert.ok(Math.abs(j.loss - exp.loss_value) <= 1e-9 * (1 + exp.loss_value));
    assert.deepEqual(j.gradients.map((g: { path: string }) => g.path), exp.gradients.map((g) => g.path));
    j.gradients.forEach((g: { shape: number[]; data: unknown }, k: number) => {
      assert.deepEqual(g.shape, exp.gradients[k].shape);
      flat(g.data).forEach((v, i) => assert.ok(Math.abs(v - exp.gradients[k].data[i]) <= 1e-6 + 1e-4 * Math.abs(exp.gradients[k].data[i])));
    });
  });
}

test('gradients: the user notation, ‖∂L/∂h_t‖, --check and --out', async () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-grad-')), 'g.npz');
  const r = await cli('gradients', G('srnn', 'model.h5'), '--inputs', G('srnn', 'X.npy'), '--targets', G('srnn', 'T.npy'), '--check', '--out', out);
  assert.equal(r.code, 0);
  for (const s of ['dL/dWx  simple_rnn/simple_rnn_cell/kernel  3×4 (D×M)', 'dL/dWh  simple_rnn/simple_rnn_cell/recurrent_kernel', 'dL/dbh', 'dL/dWo  dense/kernel', 'dL/dbo', '‖∂L/∂h_t‖', 'Gradient check', '✓']) {
    assert.ok(r.stdout.includes(s), `missing "${s}" in\n${r.stdout}`);
  }
  const arrays = await loadArrays(out);
  const { exp } = await loadCase('srnn');
  assert.deepEqual(arrays.map((a) => a.name), exp.gradients.map((g) => g.path));
  arrays.forEach((a, k) => a.array.data.forEach((v, i) => assert.ok(Math.abs(v - exp.gradients[k].data[i]) <= 1e-9)));
});

test('gradients: a wrong loss name or target shape is one line and exit code 2', () => {
  const CLI = path.join(ROOT, 'dist', 'cli.js');
  if (!fs.existsSync(CLI)) return;
  const bad = spawnSync(process.execPath, [CLI, 'gradients', G('srnn', 'model.keras'), '--inputs', G('srnn', 'X.npy'), '--targets', G('srnn', 'T.npy'), '--loss', 'hinge'], { encoding: 'utf8' });
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--loss must be one of mse/);
  const shape = spawnSync(process.execPath, [CLI, 'gradients', G('srnn', 'model.keras'), '--inputs', G('srnn', 'X.npy'), '--targets', G('srnn', 'X.npy')], { encoding: 'utf8' });
  assert.equal(shape.status, 2);
  assert.match(shape.stderr, /targets of shape \(3, 5, 3\) do not match the output shape \(3, 2\)/);
  assert.equal(shape.stderr.trim().split('\n').length, 1);
});
