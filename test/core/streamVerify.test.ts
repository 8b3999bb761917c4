/**
 * verify over X.npy / Y.npy read a batch at a time (src/cli/streamVerify.ts) reports exactly what
 * verify() reports on the whole arrays: counts, mismatches, max |Δ|, the worst sample (with its
 * global index). Predictions are Keras's (examples/seed-simplernn, test/fixtures/keras).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadArrays, openModel, openNpyStream, verify } from '../../src/core';
import { forwardParallel } from '../../src/cli/parallel';
import { verifyStreamed } from '../../src/cli/streamVerify';
import { ROOT, fixture } from './paths';

const EX = path.join(ROOT, 'examples', 'seed-simplernn');
const opts = { atol: 1e-5, rtol: 1e-4, precision: 'f64' as const, hardSigmoid: undefined };

for (const [what, dir, y] of [
  ['Keras predictions (pass)', EX, 'Y.npy'],
  ['wrong predictions (fail, worst sample named)', EX, 'wrong_predictions.npy'],
  ['an LSTM fixture', fixture('keras', 'lstm_stacked'), 'Y.npy'],
] as const) {
  test(`streamed in batches of 4 = verify() on the whole arrays: ${what}`, async () => {
    const model = await openModel(path.join(dir, 'model.h5'));
    const x = (await loadArrays(path.join(dir, 'X.npy')))[0].array;
    const e = (await loadArrays(path.join(dir, y)))[0].array;
    const whole = verify((await forwardParallel(model, [x], {})).outputs, [e]);
    const s = await verifyStreamed(model, path.join(dir, 'X.npy'), path.join(dir, y), { ...opts, batch: 4 });
    assert.equal(s.batches, Math.ceil(x.shape[0] / 4));
    assert.equal(s.report.pass, whole.pass);
    assert.deepEqual(s.report.outputs, whole.outputs);
  });
}

test('openNpyStream reads any batch as loadArrays does', async () => {
  const f = path.join(EX, 'X.npy');
  const all = (await loadArrays(f))[0].array;
  const s = openNpyStream(f);
  try {
    const per = all.data.length / all.shape[0];
    const part = s.read(3, 7);
    assert.deepEqual(part.shape, [4, ...all.shape.slice(1)]);
    assert.deepEqual(Array.from(part.data), Array.from(all.data.subarray(3 * per, 7 * per)));
  } finally {
    s.close();
  }
});
