/**
 * verify(): numpy.allclose's rule per element, the worst element, clear errors on shape or count
 * mismatches. The arrays are Keras's own predictions (seed_n15/Y.npy) and the examples' wrong ones.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { fixture, ROOT } from './paths';
import { loadArrays } from '../../src/core/arrays';
import { verify, DEFAULT_ATOL, DEFAULT_RTOL } from '../../src/core/verify';
import { InspectorError, type NDArray } from '../../src/core/model';

const load = async (f: string): Promise<NDArray> => (await loadArrays(f))[0].array;
const Y = () => load(fixture('keras', 'seed_n15', 'Y.npy'));
const copy = (a: NDArray): NDArray => ({ shape: a.shape.slice(), data: Float64Array.from(a.data) });

test("Keras's predictions verify against themselves", async () => {
  const y = await Y();
  const r = verify([{ name: 'dense', array: copy(y) }], [y]);
  assert.equal(r.pass, true);
  assert.equal(r.atol, DEFAULT_ATOL);
  assert.equal(r.rtol, DEFAULT_RTOL);
  assert.deepEqual(r.outputs[0].shape, y.shape);
  assert.equal(r.outputs[0].count, y.data.length);
  assert.equal(r.outputs[0].mismatches, 0);
  assert.equal(r.outputs[0].maxAbsDiff, 0);
  assert.equal(r.outputs[0].name, 'dense');
});

test('the allclose boundary: |a − e| ≤ atol + rtol·|e| passes, just beyond fails', async () => {
  const y = await Y();
  const i = 7; // sample 3, column 1 of the (15, 2) predictions
  const e = y.data[i];
  const tol = DEFAULT_ATOL + DEFAULT_RTOL * Math.abs(e);
  const inside = copy(y);
  inside.data[i] = e + tol * 0.99;
  assert.equal(verify([inside], [y]).pass, true);
  const outside = copy(y);
  outside.data[i] = e + tol * 1.01;
  const r = verify([outside], [y]);
  assert.equal(r.pass, false);
  assert.equal(r.outputs[0].mismatches, 1);
  assert.deepEqual(r.outputs[0].worst, { sample: 3, index: [3, 1], actual: outside.data[i], expected: e, tolerance: tol });
  assert.equal(r.outputs[0].name, 'output 0');
});

test('NaN on either side is a mismatch and the worst element', async () => {
  const y = await Y();
  const a = copy(y);
  a.data[4] = NaN;
  const r = verify([a], [y]);
  assert.equal(r.pass, false);
  assert.equal(r.outputs[0].mismatches, 1);
  assert.deepEqual(r.outputs[0].worst!.index, [2, 0]);
  assert.ok(Number.isNaN(r.outputs[0].maxAbsDiff));
  const e = copy(y);
  e.data[0] = NaN;
  assert.equal(verify([copy(y)], [e]).outputs[0].mismatches, 1);
});

test("the examples' wrong predictions fail with the worst sample named", async () => {
  const dir = path.join(ROOT, 'examples', 'seed-simplernn');
  const y = await load(path.join(dir, 'Y.npy'));
  const wrong = await load(path.join(dir, 'wrong_predictions.npy'));
  const r = verify([wrong], [y]);
  assert.equal(r.pass, false);
  let worst = -1;
  let at = -1;
  for (let i = 0; i < y.data.length; i++) {
    const d = Math.abs(wrong.data[i] - y.data[i]);
    if (d > worst) {
      worst = d;
      at = i;
    }
  }
  assert.equal(r.outputs[0].maxAbsDiff, worst);
  assert.equal(r.outputs[0].worst!.sample, Math.floor(at / y.shape[1]));
});

test('custom tolerances are honoured', async () => {
  const y = await Y();
  const a = copy(y);
  a.data[0] += 1e-3;
  assert.equal(verify([a], [y]).pass, false);
  const r = verify([a], [y], { atol: 1e-2, rtol: 0 });
  assert.equal(r.pass, true);
  assert.equal(r.atol, 1e-2);
});

test('a shape or count mismatch throws a clear InspectorError', async () => {
  const y = await Y();
  const flat: NDArray = { shape: [y.data.length], data: y.data };
  assert.throws(() => verify([{ name: 'dense', array: flat }], [y]), (e: unknown) => {
    assert.ok(e instanceof InspectorError);
    assert.match(e.message, /dense: computed shape \(30,\) does not match the expected array's shape \(15, 2\)/);
    return true;
  });
  assert.throws(() => verify([y, y], [y]), /2 outputs but 1 expected array was given/);
});
