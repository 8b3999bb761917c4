/**
 * The CLI's forward pass on several threads (src/cli/parallel.ts) gives exactly the numbers of one
 * forward() over all samples, in both precisions, and stays on one thread when the work is small.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openModel } from '../../src/core/formats';
import { forward } from '../../src/core/forward';
import { randomInputs } from '../../src/core/samples';
import { forwardParallel } from '../../src/cli/parallel';
import { fixture } from './paths';

for (const c of ['stacked', 'lstm_seq_state', 'bidir_concat']) {
  test(`${c}: two threads give the same outputs as one forward(), f64 and f32`, async () => {
    const model = await openModel(fixture('keras', c, 'model.h5'));
    const xs = randomInputs(model, 200, 1, 12).arrays;
    for (const precision of ['f64', 'f32'] as const) {
      const one = forward(model, xs, { precision });
      const two = await forwardParallel(model, xs, { precision }, 2, 1);
      assert.equal(two.threads, 2);
      assert.equal(two.precision, precision);
      assert.equal(two.outputs.length, one.outputs.length);
      two.outputs.forEach((o, k) => {
        assert.equal(o.name, one.outputs[k].name);
        assert.deepEqual(o.array.shape, one.outputs[k].array.shape);
        assert.deepEqual(Array.from(o.array.data), Array.from(one.outputs[k].array.data));
      });
    }
  });
}

test('small work stays on this thread', async () => {
  const model = await openModel(fixture('keras', 'seed_n15', 'model.h5'));
  const r = await forwardParallel(model, randomInputs(model, 15, 0).arrays, {}, 2);
  assert.equal(r.threads, 1);
});
