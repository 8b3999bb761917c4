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

test('vectorised tanh and sigmoid: max error against Math.tanh / 1/(1+Math.exp(−x)) over [−40, 40]', async () => {
  const k = w.kernels()!;
  const n = 200_000;
  const bound = { f64: 1e-15, f32: 2e-7 };
  for (const prec of ['f64', 'f32'] as const) {
    for (const [code, f] of [
      [1, Math.tanh],
      [2, (x: number) => 1 / (1 + Math.exp(-x))],
    ] as const) {
      const ar = new w.Arena(k, prec);
      const p = ar.alloc(n);
      ar.commit();
      const v = ar.view(p, n);
      for (let i = 0; i < n; i++) v[i] = -40 + (80 * i) / n;
      const xs = Float64Array.from(v);
      (prec === 'f64' ? k.act64n : k.act32n)(code, p, n);
      let maxAbs = 0;
      for (let i = 0; i < n; i++) maxAbs = Math.max(maxAbs, Math.abs(v[i] - f(xs[i])));
      assert.ok(maxAbs <= bound[prec], `${prec} code ${code}: max |Δ| ${maxAbs}`);
    }
  }
});
