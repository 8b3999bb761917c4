/**
 * The SIMD WebAssembly kernels against the pure-TypeScript reference, on every Keras fixture
 * (test/fixtures/keras/<case>/, inputs made by Keras's generator) and on random inputs:
 *  - float64 kernels: every output within 1e-12 of the reference (only the summation order differs);
 *  - float32 kernels: within the verification tolerance (atol 1e-5 + rtol 1e-4) of the reference
 *    and of Keras's own predictions.
 * The reference is `forward(..., { engine: 'reference' })`; the expected numbers of the fixtures
 * come from Keras (scripts/fixtures_keras.py).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture } from './paths';
import { openModel } from '../../src/core/formats';
import { loadArrays } from '../../src/core/arrays';
import { forward, type ForwardResult } from '../../src/core/forward';
import { randomInputs } from '../../src/core/samples';
import { verify } from '../../src/core/verify';
import * as w from '../../src/core/math/wasm';
const { kernels } = w;
import type { NDArray } from '../../src/core/model';

const KERAS = fixture('keras');
const cases = fs.existsSync(KERAS) ? fs.readdirSync(KERAS).filter((d) => fs.existsSync(path.join(KERAS, d, 'expected.json'))).sort() : [];

function maxDiff(a: ForwardResult, b: ForwardResult): number {
  let m = 0;
  a.outputs.forEach((o, i) => {
    const x = o.array.data;
    const y = b.outputs[i].array.data;
    assert.equal(x.length, y.length);
    for (let j = 0; j < x.length; j++) {
      const d = Math.abs(x[j] - y[j]);
      if (d > m || Number.isNaN(d)) m = Number.isNaN(d) ? Infinity : d;
    }
  });
  a.traces.forEach((t, i) => {
    const x = t.states.data;
    const y = b.traces[i].states.data;
    for (let j = 0; j < x.length; j++) m = Math.max(m, Math.abs(x[j] - y[j]));
  });
  return m;
}

test('the SIMD kernels load in this runtime', () => {
  assert.ok(kernels(), 'WebAssembly SIMD kernels failed to load');
});

let fastCases = 0;
for (const c of cases) {
  const dir = path.join(KERAS, c);
  const file = ['model.keras', 'model.h5'].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!file) continue;
  const exp = JSON.parse(fs.readFileSync(path.join(dir, 'expected.json'), 'utf8')) as { inputs: string[]; outputs: string[] };
  test(`${c}: fast kernels equal the TypeScript reference (f64 ≤ 1e-12, f32 within the verification tolerance)`, async () => {
    const model = await openModel(file);
    const xs: NDArray[] = [];
    for (const f of exp.inputs) xs.push((await loadArrays(path.join(dir, f)))[0].array);
    const ys: NDArray[] = [];
    for (const f of exp.outputs) ys.push((await loadArrays(path.join(dir, f)))[0].array);
    const ref = forward(model, xs, { trace: true, engine: 'reference' });
    assert.equal(ref.kernels, 'typescript');
    const f64 = forward(model, xs, { trace: true });
    assert.equal(f64.precision, 'f64');
    assert.ok(maxDiff(f64, ref) <= 1e-12, `f64 max |Δ| ${maxDiff(f64, ref)}`);
    const f32 = forward(model, xs, { trace: true, precision: 'f32' });
    const vs = verify(f32.outputs, ref.outputs.map((o) => o.array));
    assert.ok(vs.pass, `f32 vs reference: ${vs.outputs.map((o) => `${o.name} max |Δ| ${o.maxAbsDiff}`).join('; ')}`);
    const vk = verify(f32.outputs, ys);
    assert.ok(vk.pass, `f32 vs Keras: ${vk.outputs.map((o) => `${o.name} max |Δ| ${o.maxAbsDiff}`).join('; ')}`);
    if (f64.kernels === 'wasm-simd') {
      fastCases++;
      assert.equal(f32.precision, 'f32');
    }
  });
}

test('the fast path ran on most recurrent fixtures (not silently skipped)', () => {
  if (!cases.length) return;
  assert.ok(fastCases >= 20, `only ${fastCases} fixtures ran on the SIMD kernels`);
});

test('f64 kernels equal the reference on larger random inputs (SimpleRNN, LSTM, GRU, Bidirectional)', async () => {
  for (const c of ['stacked', 'lstm_stacked', 'gru', 'gru_reset_before', 'bidir_concat', 'go_backwards_seq']) {
    const file = ['model.keras', 'model.h5'].map((f) => path.join(KERAS, c, f)).find((f) => fs.existsSync(f));
    if (!file) continue;
    const model = await openModel(file);
    const xs = randomInputs(model, 131, 3, 17).arrays;
    const ref = forward(model, xs, { engine: 'reference' });
    const fast = forward(model, xs);
    assert.equal(fast.kernels, 'wasm-simd', c);
    assert.ok(maxDiff(fast, ref) <= 1e-12, `${c}: max |Δ| ${maxDiff(fast, ref)}`);
  }
});

/**
 * The error bounds stated in docs/benchmarks.md ("Accuracy of the vectorised activations"):
 * absolute for tanh and sigmoid (values in [−1, 1]), relative for exp, against Math.* in float64,
 * on float32 inputs for the float32 kernels. Measured: f64 tanh 2.2e-16, sigmoid 2.2e-16, exp rel
 * 4.3e-16; f32 tanh 3.1e-7 (Eigen's rational approximation, as TensorFlow's CPU kernels compute it),
 * sigmoid 8.9e-8, exp rel 1.7e-7.
 */
test('vectorised tanh, sigmoid and exp stay within their stated error bounds', () => {
  const k = w.kernels()!;
  const n = 200_001;
  const cases = [
    { code: 1, name: 'tanh', f: Math.tanh, lo: -20, hi: 20, rel: false, bound: { f64: 5e-16, f32: 4e-7 } },
    { code: 2, name: 'sigmoid', f: (x: number) => 1 / (1 + Math.exp(-x)), lo: -40, hi: 40, rel: false, bound: { f64: 5e-16, f32: 1.2e-7 } },
    { code: 6, name: 'exp', f: Math.exp, lo: -80, hi: 80, rel: true, bound: { f64: 5e-16, f32: 2.5e-7 } },
  ];
  for (const prec of ['f64', 'f32'] as const) {
    for (const c of cases) {
      const ar = new w.Arena(k, prec);
      const p = ar.alloc(n + 3);
      ar.commit();
      const v = ar.view(p, n + 3);
      for (let i = 0; i < n; i++) v[i] = c.lo + ((c.hi - c.lo) * i) / (n - 1);
      const xs = Float64Array.from(v.subarray(0, n));
      (prec === 'f64' ? k.act64n : k.act32n)(c.code, p, prec === 'f64' ? n + 1 : n + 3);
      let worst = 0;
      for (let i = 0; i < n; i++) {
        const e = c.f(xs[i]);
        const d = Math.abs(v[i] - e) / (c.rel ? Math.abs(e) : 1);
        if (!(d <= worst)) worst = d;
      }
      assert.ok(worst > 0 && worst <= c.bound[prec], `${prec} ${c.name}: max error ${worst} (bound ${c.bound[prec]})`);
    }
  }
});
