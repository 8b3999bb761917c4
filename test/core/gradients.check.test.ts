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
import { loadArrays } from '../../src/core/arrays';
import { fixture } from './paths';

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

test('Keras 1/2 files: the hard_sigmoid differentiated is the one the forward pass evaluated (finite differences agree)', async () => {
  // Keras 1/2 LSTM / GRU default to recurrent_activation='hard_sigmoid', clip(0.2·x + 0.5, 0, 1): its
  // slope and interval differ from Keras 3's relu6(x + 3) / 6. The backward pass once took Keras 3's
  // while the forward pass took the file's (relative errors 0.6–1.2 against finite differences).
  for (const [dir, file] of [
    ['CSE5393__Lab9__gru.h5', 'gru.h5'],
    ['KonduitAI__dl4j-test-resources__lstm_theano_1.h5', 'lstm_theano_1.h5'],
    ['KonduitAI__dl4j-test-resources__lstm_functional_tf_keras_2.h5', 'lstm_functional_tf_keras_2.h5'],
  ]) {
    const m = await openModel(fixture('corpus', dir, file));
    assert.match(m.kerasVersion ?? '', /^[12]\./, `${file} was written by Keras 1/2`);
    // Inputs and predictions made by that Keras (the corpus sidecars); targets shifted off them.
    const X = [(await loadArrays(fixture('corpus', dir, 'X.npy')))[0].array];
    const Y = (await loadArrays(fixture('corpus', dir, 'Y.npy')))[0].array;
    const T = [{ shape: Y.shape, data: Y.data.map((v, i) => v + 0.25 * Math.sin(i + 1)) }];
    for (const engine of ['fast', 'reference'] as const) {
      const r = gradientCheck(m, X, T, { engine, sample: 400 });
      assert.ok(r.checked > 0);
      assert.ok(r.maxRelError <= 1e-6, `${file} (${engine}): max relative error ${r.maxRelError} at ${JSON.stringify(r.worst)}`);
    }
  }
});
