/**
 * `--hard-sigmoid` on the command line, on a real Keras 2.0.2 file of the corpus (Y.npy: Keras's
 * predictions with Keras 2's clip(0.2x + 0.5); Y_keras3.npy: Keras 3's relu6(x + 3) / 6): the
 * default follows the file, the output says which one ran, a failed verification names the other
 * definition when it matches, and a wrong value is a usage error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { fixture } from './paths';

async function run(...args: string[]) {
  const chunks: string[] = [];
  const code = await main(args, (t) => chunks.push(t + '\n'));
  return { code, stdout: chunks.join('') };
}

const dir = fixture('corpus', 'functure__dga_predict__lstm.h5');
const base = ['verify', path.join(dir, 'lstm.h5'), '--inputs', path.join(dir, 'X.npy'), '--atol', '1e-4'];

test("verify: by default hard_sigmoid is the writing Keras's, and the output says so", async () => {
  const r = await run(...base, '--expected', path.join(dir, 'Y.npy'));
  assert.equal(r.code, 0, r.stdout);
  assert.match(r.stdout, /^hard_sigmoid: clip\(0\.2x \+ 0\.5, 0, 1\), Keras 1\/2's: the file was written by Keras 2\.0\.2$/m);
  const j = JSON.parse((await run(...base, '--expected', path.join(dir, 'Y.npy'), '--json')).stdout);
  assert.equal(j.hard_sigmoid, 'keras2');
  assert.equal(j.hard_sigmoid_source, 'file');
});

test('verify --hard-sigmoid keras3 reproduces Keras 3, and a mismatch names the definition that matches', async () => {
  const k3 = await run(...base, '--expected', path.join(dir, 'Y_keras3.npy'), '--hard-sigmoid', 'keras3');
  assert.equal(k3.code, 0, k3.stdout);
  const miss = await run(...base, '--expected', path.join(dir, 'Y_keras3.npy'));
  assert.equal(miss.code, 1);
  assert.match(miss.stdout, /^Note: matches when hard_sigmoid is Keras 3's .*Keras ≥ 3/m);
  const back = await run(...base, '--expected', path.join(dir, 'Y.npy'), '--hard-sigmoid', 'keras3');
  assert.equal(back.code, 1);
  assert.match(back.stdout, /matches when hard_sigmoid is Keras 1\/2's/);
});

test('--hard-sigmoid with a wrong value is a usage error', async () => {
  await assert.rejects(run(...base, '--expected', path.join(dir, 'Y.npy'), '--hard-sigmoid', 'keras4'), /--hard-sigmoid must be keras2 or keras3/);
});

test("gradients: by default the file's hard_sigmoid (as predict and verify), --hard-sigmoid forces one", async () => {
  // The derivative matching the evaluated definition is checked by finite differences in
  // gradients.check.test.ts; here, which definition the command line hands on.
  const g = ['gradients', path.join(dir, 'lstm.h5'), '--inputs', path.join(dir, 'X.npy'), '--targets', path.join(dir, 'Y_keras3.npy'), '--json'];
  const [auto, k2, k3] = await Promise.all([run(...g), run(...g, '--hard-sigmoid', 'keras2'), run(...g, '--hard-sigmoid', 'keras3')]);
  for (const r of [auto, k2, k3]) assert.equal(r.code, 0, r.stdout.slice(0, 300));
  assert.equal(auto.stdout, k2.stdout, 'the default is the file\'s (Keras 2.0.2: clip(0.2x + 0.5, 0, 1))');
  // The targets are Keras 3's predictions: a zero loss only where Keras 3's definition is evaluated.
  assert.ok(JSON.parse(k3.stdout).loss < 1e-9, `keras3 loss ${JSON.parse(k3.stdout).loss}`);
  assert.ok(JSON.parse(auto.stdout).loss > 1e-6, `file-default loss ${JSON.parse(auto.stdout).loss}`);
});
