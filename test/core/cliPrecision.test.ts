/**
 * `--precision` on the command line: float32 on the SIMD kernels still reproduces Keras's own
 * predictions (test/fixtures/keras, made by Keras), the result says which arithmetic ran, and a
 * wrong value is a usage error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { fixture } from './paths';

async function runInProcess(...args: string[]) {
  const chunks: string[] = [];
  const code = await main(args, (t) => chunks.push(t + '\n'));
  return { code, stdout: chunks.join('') };
}

for (const c of ['lstm_seq_state', 'gru', 'stacked']) {
  test(`verify --precision f32 of ${c} matches Keras's predictions and says float32`, async () => {
    const dir = fixture('keras', c);
    const exp = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8'));
    const args = ['verify', path.join(dir, 'model.h5'), ...exp.inputs.flatMap((x: string) => ['--inputs', path.join(dir, x)]), ...exp.outputs.flatMap((y: string) => ['--expected', path.join(dir, y)])];
    const j = await runInProcess(...args, '--precision', 'f32', '--json');
    assert.equal(j.code, 0, j.stdout);
    const v = JSON.parse(j.stdout);
    assert.equal(v.pass, true);
    assert.equal(v.precision, 'f32');
    assert.equal(v.kernels, 'wasm-simd');
    const t = await runInProcess(...args, '--precision', 'f32');
    assert.equal(t.code, 0, t.stdout);
    assert.match(t.stdout, /^Arithmetic: float32 \(WebAssembly SIMD kernels\)$/m);
    const d = await runInProcess(...args);
    assert.match(d.stdout, /^Arithmetic: float64 /m);
  });
}

test('predict --json says which precision ran', async () => {
  const r = await runInProcess('predict', fixture('keras', 'seed_n1', 'model.h5'), '--samples', '3', '--json', '--precision', 'f32');
  assert.equal(r.code, 0);
  const j = JSON.parse(r.stdout);
  assert.equal(j.precision, 'f32');
  const r64 = JSON.parse((await runInProcess('predict', fixture('keras', 'seed_n1', 'model.h5'), '--samples', '3', '--json')).stdout);
  assert.equal(r64.precision, 'f64');
});

test('--precision with anything but f64/f32 is a usage error', async () => {
  await assert.rejects(runInProcess('predict', fixture('keras', 'seed_n1', 'model.h5'), '--precision', 'f16'), /--precision must be f64 or f32 \(got f16\)/);
});
