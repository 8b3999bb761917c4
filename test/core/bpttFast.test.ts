/**
 * The batched BPTT on the SIMD kernels (src/core/math/fastBptt.ts, with the forward pass keeping
 * its tape on the kernels) against the TypeScript reference (math/bptt.ts, one sample at a time) on
 * every gradient fixture: the same loss, gradients and ‖∂L/∂h_t‖ within 1e-12 (float64, only the
 * summation order differs). Both are held to TensorFlow's GradientTape by gradients.fixtures.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openModel } from '../../src/core/formats';
import { gradients } from '../../src/core/gradients';
import { randomInputs } from '../../src/core/samples';
import { forward } from '../../src/core/forward';
import type { NDArray } from '../../src/core/model';
import { G, gradientCases, loadCase } from './gradientsCase';
import { fixture } from './paths';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, what: string): void => {
  assert.equal(a.length, b.length, `${what}: length`);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - b[i]) <= 1e-12 * (1 + Math.abs(b[i])), `${what}[${i}]: fast ${a[i]} vs reference ${b[i]}`);
  }
};

/** Activations the kernels vectorise (tanh, sigmoid, relu, linear, hard_sigmoid, exponential) and every cell but the reset-before GRU. */
const REFERENCE_ONLY = /^srnn_(softsign|softplus|elu|selu|gelu|swish|relu6|hard_silu|leaky_relu|mish|log_sigmoid|hard_tanh|celu|tanh_shrink|squareplus|sparse_plus|sparse_sigmoid|soft_shrink|hard_shrink|softmax|log_softmax|sparsemax)$|^lstm_acts$|^gru_reset_before|^gru_go_backwards$/;

for (const name of gradientCases()) {
  test(`batched BPTT = reference BPTT (1e-12): ${name}`, async () => {
    const { exp, X, T } = await loadCase(name);
    const m = await openModel(G(name, 'model.h5'));
    const fast = gradients(m, X, T, { loss: exp.loss });
    const ref = gradients(m, X, T, { loss: exp.loss, engine: 'reference' });
    assert.ok(Math.abs(fast.value - ref.value) <= 1e-12 * (1 + Math.abs(ref.value)), `loss ${fast.value} vs ${ref.value}`);
    assert.deepEqual(fast.gradients.map((g) => g.path), ref.gradients.map((g) => g.path));
    fast.gradients.forEach((g, k) => close(g.data, ref.gradients[k].data, g.path));
    assert.equal(fast.hiddenGradNorms.length, ref.hiddenGradNorms.length);
    fast.hiddenGradNorms.forEach((h, k) => close(h.norms, ref.hiddenGradNorms[k].norms, `‖∂L/∂h‖ ${h.layer}`));
    assert.ok(ref.hiddenGradNorms.every((h) => h.engine === 'reference'));
    const want = REFERENCE_ONLY.test(name) ? 'reference' : 'fast';
    for (const h of fast.hiddenGradNorms) assert.equal(h.engine, want, `${h.layer}${h.direction ? ` (${h.direction})` : ''} ran on the ${h.engine} engine`);
  });
}

test('batched BPTT in several sample blocks (N = 150: blocks of 64, 64, 22) and odd M', async () => {
  for (const f of ['keras/lstm_stacked/model.h5', 'keras/gru/model.h5', 'keras/seed_n15/model.h5']) {
    const m = await openModel(fixture(f));
    const X = randomInputs(m, 150, 3).arrays;
    const y = forward(m, X).outputs.map((o) => o.array);
    const T: NDArray[] = y.map((a) => ({ shape: a.shape, data: a.data.map((v, i) => v + Math.sin(i)) }));
    const fast = gradients(m, X, T, { loss: 'mse' });
    const ref = gradients(m, X, T, { loss: 'mse', engine: 'reference' });
    assert.ok(fast.hiddenGradNorms.every((h) => h.engine === 'fast'), f);
    fast.gradients.forEach((g, k) => close(g.data, ref.gradients[k].data, `${f} ${g.path}`));
  }
});

test('a tape over the memory budget is refused before it is allocated, naming the layer, the sizes and the file', async () => {
  const file = fixture('keras/lstm_stacked/model.h5');
  const m = await openModel(file);
  const X = randomInputs(m, 64, 1).arrays;
  const y = forward(m, X).outputs.map((o) => o.array);
  // LSTM(6) over 64 × 8: per step max(4·6 + 3·6, 5·8 + 3·6) = 58 values, 237,568 bytes.
  assert.throws(
    () => gradients(m, X, y, { maxTapeBytes: 200_000 }),
    (e: Error) => /model\.h5/.test(String((e as { file?: string }).file ?? e.message)) && /the backward pass keeps every step of layer \S+: 64 samples × 8 steps × 58 values, .* GB, more than the .* GB left of its memory budget; use fewer samples or shorter sequences/.test((e as { problem?: string }).problem ?? e.message),
  );
  for (const engine of ['fast', 'reference'] as const) assert.ok(gradients(m, X, y, { engine, maxTapeBytes: 1_000_000 }).gradients.length > 0, engine);
});

test('NaN / ±Inf in the targets or the inputs: refused, saying where the first one is (not NaN gradients)', async () => {
  const m = await openModel(fixture('keras/seed_n15/model.h5'));
  const X = randomInputs(m, 4, 0).arrays;
  const y = forward(m, X).outputs.map((o) => ({ shape: o.array.shape, data: Float64Array.from(o.array.data) }));
  y[0].data[3] = NaN;
  assert.throws(() => gradients(m, X, y), /the targets hold 1 NaN value \(first at sample 1, index \[1, 1\]\): the loss and every gradient would be NaN/);
  y[0].data[3] = 0;
  X[0].data[5] = -Infinity;
  assert.throws(() => gradients(m, X, y), /the inputs hold 1 ±Inf value \(first at sample 0, index \[0, 1, 2\]\)/);
});
