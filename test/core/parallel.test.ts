/**
 * The CLI's forward pass on several threads (src/cli/parallel.ts) gives exactly the numbers of one
 * forward() over all samples, in both precisions, and stays on one thread when the work is small.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openModel } from '../../src/core/formats';
import { forward } from '../../src/core/forward';
import { randomInputs } from '../../src/core/samples';
import { forwardParallel, tuningOf } from '../../src/cli/parallel';
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

test('the split-or-not tuning: a young split that lost is tried again soon, one slow run does not flip a choice', async () => {
  const model = await openModel(fixture('keras/seed_n15/model.h5'));
  const inputs = randomInputs(model, 256, 1).arrays;
  const tu = tuningOf(model, inputs, {}, 2);
  // First call splits (the estimate), the second runs on one thread.
  assert.equal(tu.choose(), 2);
  tu.record(2, 20); // a new worker's cold split
  assert.equal(tu.choose(), 1);
  tu.record(1, 10);
  // One thread looks faster, but only one split has run: the split is tried again every other call.
  const seq: number[] = [];
  for (let i = 0; i < 4; i++) {
    const k = tu.choose();
    seq.push(k);
    tu.record(k, k === 2 ? 6 : 10); // warm, the split pays
  }
  assert.deepEqual(seq, [1, 2, 2, 2]);
  // A split that won: one slow split (a GC pause) does not send the next calls to one thread.
  tu.record(2, 40);
  const next: number[] = [];
  for (let i = 0; i < 6; i++) {
    const k = tu.choose();
    next.push(k);
    tu.record(k, k === 2 ? 6 : 10);
  }
  // (Only the scheduled re-check of the other mode, every 8th call, runs on one thread.)
  assert.deepEqual(next.slice(0, 2), [2, 2], `after one slow split: ${next}`);
  assert.ok(next.filter((k) => k === 1).length <= 1, `after one slow split: ${next}`);
  // Separate state per batch shape.
  assert.equal(tuningOf(model, randomInputs(model, 300, 1).arrays, {}, 2).choose(), 2);
});

test('a second model in the same process gets a warm worker too (the idle one is handed the new model)', async () => {
  const a = await openModel(fixture('keras/seed_n15/model.h5'));
  const b = await openModel(fixture('keras/lstm_stacked/model.h5'));
  const xa = randomInputs(a, 10000, 1).arrays; // ≈ 5.7 M multiply-adds: a split pays only with a warm worker
  const xb = randomInputs(b, 2048, 1).arrays; // ≈ 6.9 M
  const threadsOf = async (m: typeof a, x: typeof xa): Promise<number> => (await forwardParallel(m, x, {}, 2)).threads;
  await threadsOf(a, xa); // one thread; a worker starts with model a
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await threadsOf(a, xa), 2, 'model a: the warm worker splits');
  assert.equal(await threadsOf(b, xb), 1, 'model b, first call: no worker holds it yet');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(await threadsOf(b, xb), 2, 'model b: the idle worker was handed model b');
  const ref = forward(b, xb);
  const par = await forwardParallel(b, xb, {}, 2);
  par.outputs.forEach((o, i) => assert.deepEqual(o.array.data, ref.outputs[i].array.data));
});
