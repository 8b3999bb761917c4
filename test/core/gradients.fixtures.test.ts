/**
 * gradients() against TensorFlow's GradientTape in float64 (test/fixtures/gradients/, section G of
 * scripts/make_fixtures.py): every case, in each of its three weight files (.h5, .keras, JSON),
 * every trainable weight's gradient, in Keras's trainable_weights order and with Keras 3's paths.
 * Required: |ours − TF| ≤ 1e-6 + 1e-4·|TF| per element; measured: far tighter (ATOL_SEEN below).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { openModel } from '../../src/core/formats';
import { gradients } from '../../src/core/gradients';
import { G, gradientCases, loadCase } from './gradientsCase';

const cases = gradientCases();
const FILES = ['model.h5', 'model.keras', 'model.rnn.json'];
/**
 * The tighter bound every element met when this test was written: |Δ| ≤ 1e-9 + 1e-9·|TF|, except
 * gelu, where TensorFlow's own float64 erfc is accurate to ~1e-8 only (tf.nn.gelu(0.3) is off by 6e-10).
 */
const tight = (name: string): number => (name === 'srnn_gelu' ? 1e-7 : 1e-9);

test('the fixtures cover every layer kind and option of the issue', () => {
  assert.ok(cases.length >= 70, `${cases.length} cases`);
  for (const c of cases) for (const f of FILES) assert.ok(fs.existsSync(G(c, f)), `${c}/${f}`);
});

for (const name of cases) {
  test(`gradients = GradientTape (float64): ${name}`, async () => {
    const { exp, X, T } = await loadCase(name);
    for (const file of FILES) {
      const m = await openModel(G(name, file));
      const r = gradients(m, X, T, { loss: exp.loss });
      const where = `${name}/${file}`;
      assert.ok(Math.abs(r.value - exp.loss_value) <= tight(name) * (1 + Math.abs(exp.loss_value)), `${where}: loss ${r.value} vs ${exp.loss_value}`);
      assert.deepEqual(r.gradients.map((g) => g.path), exp.gradients.map((g) => g.path), `${where}: paths`);
      r.gradients.forEach((g, k) => {
        const e = exp.gradients[k];
        assert.deepEqual(g.shape, e.shape, `${where}: ${g.path} shape`);
        assert.equal(g.data.length, e.data.length);
        for (let i = 0; i < e.data.length; i++) {
          const d = Math.abs(g.data[i] - e.data[i]);
          assert.ok(d <= 1e-6 + 1e-4 * Math.abs(e.data[i]), `${where}: ${g.path}[${i}] ${g.data[i]} vs TF ${e.data[i]}`);
          assert.ok(d <= tight(name) * (1 + Math.abs(e.data[i])), `${where}: ${g.path}[${i}] ${g.data[i]} vs TF ${e.data[i]} (|Δ| ${d})`);
        }
      });
    }
  });
}
