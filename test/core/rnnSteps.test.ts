/**
 * The step-through (rnnSteps): h_t at every step, and c_T, equal what real Keras returned for the
 * same inputs (return_sequences + return_state fixtures), for SimpleRNN, LSTM, GRU (reset_after),
 * go_backwards, and a reset-before GRU read through its Dense head. Gate values are checked
 * against the equations they feed (c_t = f ⊙ c_{t-1} + i ⊙ c̃, h_t = o ⊙ tanh(c_t)).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture } from './paths';
import { openModel } from '../../src/core/formats';
import { parseNpy } from '../../src/core/arrays/npy';
import { rnnSteps } from '../../src/core/layers/rnnSteps';
import { layerSteps } from '../../src/core/steps';
import type { Layer, NDArray } from '../../src/core/model';

const dir = (c: string): string => fixture('keras', c);
const npy = (c: string, f: string): NDArray => {
  const a = parseNpy(fs.readFileSync(path.join(dir(c), f)));
  return { shape: a.shape, data: a.data } as NDArray;
};
/** Sample n of a (N, …) array as a (…) array. */
const sample = (a: NDArray, n: number): NDArray => {
  const per = a.data.length / a.shape[0];
  return { shape: a.shape.slice(1), data: a.data.subarray(n * per, (n + 1) * per) } as NDArray;
};
const close = (got: number[], want: ArrayLike<number>, what: string): void => {
  assert.equal(got.length, want.length, what);
  got.forEach((g, i) => assert.ok(Math.abs(g - want[i]) <= 1e-5 + 1e-4 * Math.abs(want[i]), `${what}[${i}]: ${g} vs Keras ${want[i]}`));
};
const rnnLayer = async (c: string): Promise<Layer> => {
  const m = await openModel(path.join(dir(c), 'model.keras'));
  return m.layers.find((l) => l.weights.length > 0)!;
};

for (const c of ['return_state_seq', 'lstm_seq_state', 'gru_seq_state', 'go_backwards_seq']) {
  test(`${c}: h_t at every step is Keras's sequence output`, async () => {
    const layer = await rnnLayer(c);
    const X = npy(c, 'X.npy');
    const Y = npy(c, fs.existsSync(path.join(dir(c), 'Y0.npy')) ? 'Y0.npy' : 'Y.npy');
    const [, T, M] = Y.shape;
    for (let n = 0; n < X.shape[0]; n++) {
      const r = rnnSteps(layer, sample(X, n));
      assert.equal(r.steps.length, T);
      assert.equal(r.units, M);
      // Keras returns the sequence in processing order (reversed time for go_backwards).
      r.steps.forEach((s, k) => close(s.h, sample(Y, n).data.subarray(k * M, (k + 1) * M), `${c} sample ${n} step ${k}`));
      if (c === 'go_backwards_seq') assert.deepEqual(r.steps.map((s) => s.t), Array.from({ length: T }, (_, k) => T - k));
      if (c === 'lstm_seq_state') {
        close(r.steps[T - 1].c!, sample(npy(c, 'Y2.npy'), n).data, `${c} c_T of sample ${n}`);
        for (const s of r.steps) {
          const { i, f, c: cc, o } = s.gates;
          close(s.c!, s.cPrev!.map((cp, j) => f[j] * cp + i[j] * cc[j]), 'c_t = f ⊙ c_{t-1} + i ⊙ c̃_t');
          close(s.h, s.c!.map((v, j) => o[j] * Math.tanh(v)), 'h_t = o ⊙ tanh(c_t)');
          for (const g of ['i', 'f', 'o']) s.gates[g].forEach((v) => assert.ok(v > 0 && v < 1, `${g} is a sigmoid`));
        }
      }
    }
  });
}

test('gru_reset_before: h_T through the Dense head gives Keras’s predictions', async () => {
  const c = 'gru_reset_before';
  const m = await openModel(path.join(dir(c), 'model.keras'));
  const gru = m.layers.find((l) => l.weights.length === 3 && l.weights.some((w) => /recurrent/.test(w.role)))!;
  const dense = m.layers.find((l) => l !== gru && l.weights.length === 2)!;
  const [W, b] = dense.weights;
  const X = npy(c, 'X.npy');
  const Y = npy(c, 'Y.npy');
  const K = Y.shape[1];
  for (let n = 0; n < X.shape[0]; n++) {
    const r = rnnSteps(gru, sample(X, n));
    assert.deepEqual(r.gates, ['z', 'r', 'h']);
    const h = r.steps[r.steps.length - 1].h;
    const y = Array.from({ length: K }, (_, k) => h.reduce((s, v, j) => s + v * W.data![j * K + k], b.data![k]));
    close(y, sample(Y, n).data, `sample ${n}`);
  }
});

/** y = act(h·W + b) of a Dense head, with the activations these fixtures use. */
function denseHead(h: number[], W: Float64Array, b: Float64Array, act: string): number[] {
  const K = b.length;
  const z = Array.from({ length: K }, (_, k) => h.reduce((s, v, j) => s + v * W[j * K + k], b[k]));
  if (act === 'sigmoid') return z.map((v) => 1 / (1 + Math.exp(-v)));
  assert.equal(act, 'linear');
  return z;
}

for (const [c, pick] of [
  ['lstm_stacked', 'second LSTM (its input is the first LSTM’s h⁽¹⁾_t)'],
  ['bidir_concat', 'Bidirectional (both halves, h_T = [h→_T, h←_1])'],
] as const) {
  test(`layerSteps on ${c}: the ${pick} reproduces Keras’s predictions through the Dense head`, async () => {
    const m = await openModel(path.join(dir(c), 'model.keras'));
    const rec = m.layers.filter((l) => l.weights.length >= 3 || (l.inner ?? []).some((i) => i.weights.length >= 3) || (l.className === 'Bidirectional'));
    const layer = rec[rec.length - 1];
    const dense = m.layers.find((l) => l.className === 'Dense')!;
    const [W, b] = dense.weights;
    const X = npy(c, 'X.npy');
    const Y = npy(c, 'Y.npy');
    for (let n = 0; n < X.shape[0]; n++) {
      const one = { shape: [1, ...X.shape.slice(1)], data: sample(X, n).data } as NDArray;
      const halves = layerSteps(m, [one], layer.name);
      const h = halves.flatMap((r) => r.steps[r.steps.length - 1].h);
      if (c === 'bidir_concat') assert.deepEqual(halves.map((r) => [r.direction, r.goBackwards]), [['forward', false], ['backward', true]]);
      close(denseHead(h, W.data as Float64Array, b.data as Float64Array, String(dense.config.activation)), sample(Y, n).data, `${c} sample ${n}`);
    }
  });
}

test('layerSteps on a seq2seq decoder starts from the encoder’s h and c (initial_state): Keras’s predictions at every t', async () => {
  const d = fixture('corpus', 'delladeldel__LSTM-Seq2Seq__my_model.keras');
  const m = await openModel(path.join(d, 'my_model.keras'));
  const decoder = m.layers.find((l) => (l.inbound?.[0]?.length ?? 0) === 3)!;
  assert.ok(decoder, 'a layer called with initial_state');
  const head = m.layers.find((l) => l.inbound?.[0]?.[0]?.layer === decoder.name)!;
  const dense = head.inner?.[0] ?? head;
  const [W, b] = (dense.weights.length ? dense.weights : head.weights) as { data: Float64Array }[];
  const read = (f: string): NDArray => {
    const a = parseNpy(fs.readFileSync(path.join(d, f)));
    return { shape: a.shape, data: a.data } as NDArray;
  };
  const [X0, X1, Y] = [read('X0.npy'), read('X1.npy'), read('Y.npy')];
  const one = (a: NDArray, n: number): NDArray => ({ shape: [1, ...a.shape.slice(1)], data: sample(a, n).data }) as NDArray;
  for (let n = 0; n < Math.min(3, X0.shape[0]); n++) {
    const [r] = layerSteps(m, [one(X0, n), one(X1, n)], decoder.name);
    assert.ok(r.steps[0].hPrev.some((v) => v !== 0), 'h_0 is the encoder state, not zeros');
    const y = r.steps.map((s) => denseHead(s.h, W.data, b.data, 'linear')[0]);
    close(y, sample(Y, n).data, `sample ${n}`);
  }
});
