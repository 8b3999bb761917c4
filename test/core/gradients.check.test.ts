/**
 * The finite-difference check on every gradient fixture: central differences of the loss agree
 * with gradients() to a relative error ≤ 1e-6 on every checked element (all elements: the fixture
 * models are small), and one SGD step lowers the loss as the notebooks show.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openModel } from '../../src/core/formats';
import { gradients } from '../../src/core/gradients';
import { gradientCheck, sgdStep } from '../../src/core/gradcheck';
import { G, gradientCases, loadCase } from './gradientsCase';

const cases = gradientCases();

for (const name of cases) {
  test(`finite differences agree with the analytic gradients: ${name}`, async () => {
    const { exp, X, T } = await loadCase(name);
    const m = await openModel(G(name, 'model.rnn.json'));
    const r = gradientCheck(m, X, T, { loss: exp.loss });
    assert.equal(r.checked, r.total, 'every element checked');
    assert.ok(r.total > 0);
    assert.ok(r.maxRelError <= 1e-6, `${name}: max relative error ${r.maxRelError} at ${JSON.stringify(r.worst)}`);
  });
}

test('one SGD step lowers the loss and leaves the model as it was', async () => {
  const { exp, X, T } = await loadCase('lstm');
  const m = await openModel(G('lstm', 'model.keras'));
  const before = gradients(m, X, T, { loss: exp.loss });
  const s = sgdStep(m, X, T, 0.05, { loss: exp.loss }, before);
  assert.equal(s.lossBefore, before.value);
  assert.ok(s.lossAfter < s.lossBefore, `${s.lossAfter} < ${s.lossBefore}`);
  assert.equal(gradients(m, X, T, { loss: exp.loss }).value, before.value, 'weights restored');
  const k = s.updated[0];
  assert.deepEqual(k.shape, exp.gradients[0].shape);
});
