/**
 * Copy NumPy BPTT (src/extension/bptt.ts): the generated script is run with the machine's Python
 * and NumPy on the gradient fixtures (test/fixtures/gradients/, made by TensorFlow's GradientTape in
 * float64 from Keras 3.15 models; the weights read from each model's .rnn.json, which plain NumPy
 * can load). Its gradients must match TF's, its own finite-difference check must pass, and the
 * models it cannot write are named. Without python3 + NumPy the runs are skipped, saying so.
 */
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openModel } from '../../src/core';
import { bpttGaps, bpttPython } from '../../src/extension/bptt';
import { G, gradientCases } from './gradientsCase';
import type { ExpectedGradients } from './gradientsCase';

const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-inspector-bptt-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));

/** Cases the BPTT script writes; every other case must be refused with a reason. */
const WRITTEN = new Set<string>();

for (const name of gradientCases()) {
  test(`NumPy BPTT ${name}: TF's GradientTape gradients, or the reason it is not written`, { skip: !hasNumpy && 'python3 with NumPy is not on this machine' }, async () => {
    const exp: ExpectedGradients = JSON.parse(fs.readFileSync(G(name, 'gradients.json'), 'utf8'));
    const model = await openModel(G(name, 'model.rnn.json'));
    const gaps = bpttGaps(model);
    if (gaps.length) {
      assert.ok(gaps.every((g) => /\(|graph|weights/.test(g)), gaps.join('; '));
      return;
    }
    WRITTEN.add(name);
    const script = bpttPython(model, {
      loss: exp.loss,
      seed: 0,
      samples: 1,
      timesteps: 0,
      perSample: [],
      inputsPath: G(name, exp.inputs[0]),
      targetsPath: G(name, exp.targets[0]),
    });
    const file = path.join(tmp, `${name}.py`);
    fs.writeFileSync(file, `${script}\nimport json\nprint("GRADS_JSON", json.dumps([grads[n].tolist() for n, _ in WEIGHTS_AT_START]))\n`.replace('Y, tape = forward(X)', 'WEIGHTS_AT_START = WEIGHTS()\nY, tape = forward(X)'));
    const r = spawnSync('python3', [file], { encoding: 'utf8', timeout: 60_000, cwd: tmp });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    const loss = Number(/loss \(\w+\) = (\S+)/.exec(r.stdout)?.[1]);
    assert.ok(Math.abs(loss - exp.loss_value) <= 1e-6 + 1e-4 * Math.abs(exp.loss_value), `loss ${loss} vs TF ${exp.loss_value}`);
    const mine = JSON.parse(r.stdout.split('GRADS_JSON ')[1]) as unknown[];
    assert.equal(mine.length, exp.gradients.length, 'one gradient per trainable weight');
    exp.gradients.forEach((g, k) => {
      const a = (mine[k] as number[] | number[][]).flat(3) as number[];
      assert.equal(a.length, g.data.length, `${g.path}: size`);
      a.forEach((x, i) => assert.ok(Math.abs(x - g.data[i]) <= 1e-6 + 1e-4 * Math.abs(g.data[i]), `${g.path}[${i}]: ${x} vs TF ${g.data[i]}`));
    });
    const fd = Number(/max relative error = (\S+)/.exec(r.stdout)?.[1]);
    assert.ok(fd <= 1e-5, `finite differences: ${fd}`);
  });
}

test('NumPy BPTT: written for SimpleRNN, LSTM, GRU (both resets), Dense heads, TimeDistributed, Embedding and every loss', { skip: !hasNumpy && 'python3 with NumPy is not on this machine' }, () => {
  for (const c of ['srnn', 'srnn_relu', 'srnn_stacked', 'srnn_go_backwards_seq', 'srnn_seq_td', 'lstm', 'lstm_seq', 'lstm_stacked', 'gru', 'gru_reset_before', 'gru_no_bias', 'embedding_sparse', 'softmax_cce', 'sigmoid_bce'])
    assert.ok(WRITTEN.has(c), `${c} written and checked (written: ${[...WRITTEN].join(', ')})`);
});

test('NumPy BPTT: hostile layer names stay inside comments and string literals (the script runs and creates nothing)', { skip: !hasNumpy && 'python3 with NumPy is not on this machine' }, async () => {
  const name = 'lstm';
  const exp: ExpectedGradients = JSON.parse(fs.readFileSync(G(name, 'gradients.json'), 'utf8'));
  const model = await openModel(G(name, 'model.rnn.json'));
  const hostile = ['x\nimport os; os.system("touch PWNED")\n#', "'''\nopen('PWNED','w')\n'''", '"""\nopen("PWNED","w")\n"""', '\\', '\r__import__("os").system("touch PWNED")'];
  model.layers.filter((l) => !l.implicit).forEach((l, i) => (l.name = hostile[i % hostile.length]));
  assert.deepEqual(bpttGaps(model), []);
  const script = bpttPython(model, { loss: exp.loss, seed: 0, samples: 1, timesteps: 0, perSample: [], inputsPath: G(name, exp.inputs[0]), targetsPath: G(name, exp.targets[0]) });
  const dir = fs.mkdtempSync(path.join(tmp, 'hostile-'));
  const file = path.join(dir, 'bptt.py');
  fs.writeFileSync(file, script);
  const r = spawnSync('python3', [file], { encoding: 'utf8', timeout: 60_000, cwd: dir });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  assert.deepEqual(fs.readdirSync(dir), ['bptt.py'], 'nothing but the script in its folder');
  assert.match(r.stdout, /gradient check: max relative error = /);
});
