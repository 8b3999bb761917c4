/**
 * forward(): hidden-state traces, the JSON weight formats, activation config forms, and the
 * errors a user meets (wrong input shape or count, no weights, cancellation). Expected numbers
 * are always Keras's predictions (Y*.npy) or Keras's shapes (expected.json).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture } from './paths';
import { openModel } from '../../src/core/formats';
import { loadArrays } from '../../src/core/arrays';
import { forward } from '../../src/core/forward';
import { verify } from '../../src/core/verify';
import { resolveActivation } from '../../src/core/math/activations';
import type { Model, NDArray } from '../../src/core/model';

const K = (...p: string[]) => fixture('keras', ...p);
const load = async (f: string): Promise<NDArray> => (await loadArrays(f))[0].array;
const expected = (c: string) => JSON.parse(fs.readFileSync(K(c, 'expected.json'), 'utf8'));
const close = (a: NDArray, y: NDArray) => {
  const r = verify([a], [y]);
  assert.ok(r.pass, `max |Δ| ${r.outputs[0].maxAbsDiff}`);
};
/** Slice step s of a (N, T, M) array → (N, M). */
const step = (a: NDArray, s: number): NDArray => {
  const [N, T, M] = a.shape;
  const out = new Float64Array(N * M);
  for (let n = 0; n < N; n++) out.set(a.data.subarray((n * T + s) * M, (n * T + s + 1) * M), n * M);
  return { shape: [N, M], data: out };
};

test('traces: h_t per step as (N, T, M); the last step is the state Keras returns', async () => {
  const m = await openModel(K('return_state_seq', 'model.keras'));
  const X = await load(K('return_state_seq', 'X.npy'));
  const [Yseq, Yh] = [await load(K('return_state_seq', 'Y0.npy')), await load(K('return_state_seq', 'Y1.npy'))];
  const r = forward(m, [X], { trace: true });
  assert.equal(r.traces.length, 1);
  const tr = r.traces[0];
  assert.equal(tr.className, 'SimpleRNN');
  assert.deepEqual(tr.states.shape, Yseq.shape);
  close(tr.states, Yseq);
  close(step(tr.states, X.shape[1] - 1), Yh);
  assert.deepEqual(r.outputs.map((o) => o.name), expected('return_state_seq').model_output_layers.map((n: string, i: number) => `${n}:${i}`));
  assert.equal(forward(m, [X]).traces.length, 0, 'no trace unless asked');
});

test('go_backwards: the sequence comes back in processing order, as Keras returns it', async () => {
  const m = await openModel(K('go_backwards_seq', 'model.h5'));
  const X = await load(K('go_backwards_seq', 'X.npy'));
  const r = forward(m, [X], { trace: true });
  close(r.outputs[0].array, await load(K('go_backwards_seq', 'Y.npy')));
  close(r.traces[0].states, await load(K('go_backwards_seq', 'Y.npy')));
});

test('Bidirectional traces both directions; the backward final state is the merge_mode=None second output', async () => {
  const m = await openModel(K('bidir_none', 'model.keras'));
  const X = await load(K('bidir_none', 'X.npy'));
  const r = forward(m, [X], { trace: true });
  assert.deepEqual(r.traces.map((t) => t.direction), ['forward', 'backward']);
  const T = X.shape[1];
  close(step(r.traces[0].states, T - 1), await load(K('bidir_none', 'Y0.npy')));
  close(step(r.traces[1].states, T - 1), await load(K('bidir_none', 'Y1.npy')));
  assert.deepEqual(r.outputs.map((o) => o.name), ['bidirectional:0', 'bidirectional:1']);
});

test('JSON weight formats and TF.js run through the same engine', async () => {
  const idx = JSON.parse(fs.readFileSync(fixture('json', 'index.json'), 'utf8'));
  // (weight_list_stacked.json is left out: a bare weight list cannot say its Dense used softmax.)
  for (const f of ['notebook_dump.json', 'notebook_dump_aliases.json', 'notebook_dump_keras_names.json', 'weight_list.json', 'weight_list_lstm.json']) {
    const m = await openModel(fixture('json', f));
    const X = await load(fixture('json', idx[f].X));
    close(forward(m, [X]).outputs[0].array, await load(fixture('json', idx[f].Y)));
  }
  for (const [dir, e] of Object.entries(idx.tfjs as Record<string, { X: string; Y: string }>)) {
    const m = await openModel(fixture('json', dir));
    close(forward(m, [await load(fixture('json', e.X))]).outputs[0].array, await load(fixture('json', e.Y)));
  }
});

test('activations stored as Keras 3 serialized objects work like the plain string', async () => {
  const m = await openModel(K('act_relu', 'model.keras'));
  const X = await load(K('act_relu', 'X.npy'));
  const obj: Model = {
    ...m,
    layers: m.layers.map((l) =>
      l.className === 'SimpleRNN'
        ? { ...l, config: { ...l.config, activation: { module: 'keras.activations', class_name: 'function', config: 'relu', registered_name: 'function' } } }
        : l,
    ),
  };
  close(forward(obj, [X]).outputs[0].array, await load(K('act_relu', 'Y.npy')));
});

test("hard_sigmoid follows the file's writer by default (Keras 3: relu6(x+3)/6), either one on request", async () => {
  const m = await openModel(K('act_hard_sigmoid', 'model.keras'));
  const X = await load(K('act_hard_sigmoid', 'X.npy'));
  const Y = await load(K('act_hard_sigmoid', 'Y.npy'));
  const r = forward(m, [X]);
  close(r.outputs[0].array, Y);
  assert.equal(r.hardSigmoid?.semantics, 'keras3');
  assert.equal(r.hardSigmoid?.source, 'file');
  // Asking for Keras 3's definition on a file that records Keras 2.2.4 gives what Keras 3 computes.
  const old = { ...m, kerasVersion: '2.2.4' };
  close(forward(old, [X], { hardSigmoid: 'keras3' }).outputs[0].array, Y);
  const asKeras2 = forward(m, [X], { hardSigmoid: 'keras2' }).outputs[0].array;
  assert.equal(verify([asKeras2], [Y]).pass, false, 'the Keras 2 definition differs from what Keras 3 computed');
  // …and by default such a file gets Keras 2's definition, and says so.
  const d = forward(old, [X]);
  assert.deepEqual(Array.from(d.outputs[0].array.data), Array.from(asKeras2.data));
  assert.equal(d.hardSigmoid?.semantics, 'keras2');
  assert.match(d.hardSigmoid!.why, /Keras 2\.2\.4/);
  assert.equal(resolveActivation('hard_sigmoid', '2.11.0')!.f!(1), 0.7);
  assert.equal(resolveActivation('hard_sigmoid', '3.15.1')!.f!(3), 1);
});

test('an input of the wrong shape names the shape the model expects', async () => {
  const m = await openModel(K('seed_n1', 'model.keras'));
  const exp = expected('seed_n1');
  const [, T, D] = exp.layers[0].output_shape as number[];
  const bad: NDArray = { shape: [1, T, D + 1], data: new Float64Array(T * (D + 1)) };
  assert.throws(() => forward(m, [bad]), { message: new RegExp(`has shape \\(1, ${T}, ${D + 1}\\), but the model expects \\(None, ${T}, ${D}\\)`) });
  assert.throws(() => forward(m, []), /the model takes 1 input \(\(None, 10, 3\)\) but 0 were given/);
});

test('two-input functional model: inputs by position, outputs named after their layers', async () => {
  const m = await openModel(K('functional_branches', 'model.h5'));
  const xs = [await load(K('functional_branches', 'X0.npy')), await load(K('functional_branches', 'X1.npy'))];
  const r = forward(m, xs);
  assert.deepEqual(r.outputs.map((o) => o.name), expected('functional_branches').model_output_layers);
  assert.throws(() => forward(m, [xs[1], xs[0]]), /input 1 of 2 \(layer seq_a\) has shape/);
});

test('no weights: architecture-only files and metadata-only reads stop with a clear message', async () => {
  const arch = await openModel(fixture('json', 'model_config.json'));
  assert.throws(() => forward(arch, []), /no weights \(architecture only\)/);
  const meta = await openModel(K('seed_n1', 'model.h5'), { weights: false });
  const X = await load(K('seed_n1', 'X.npy'));
  if (meta.hasWeights) assert.throws(() => forward(meta, [X]), /has no weights loaded/);
});

test('cancellation stops the pass', async () => {
  const m = await openModel(K('seed_n15', 'model.keras'));
  const X = await load(K('seed_n15', 'X.npy'));
  assert.throws(() => forward(m, [X], { isCancelled: () => true }), /cancelled/);
  close(forward(m, [X], { isCancelled: () => false }).outputs[0].array, await load(K('seed_n15', 'Y.npy')));
});

test('Embedding ids must be integers within the vocabulary', async () => {
  const m = await openModel(K('embedding_rnn', 'model.keras'));
  const X = await load(K('embedding_rnn', 'X.npy'));
  close(forward(m, [X]).outputs[0].array, await load(K('embedding_rnn', 'Y.npy')));
  const bad = { shape: X.shape.slice(), data: Float64Array.from(X.data) };
  bad.data[0] = 0.5;
  assert.throws(() => forward(m, [bad]), /is not an integer id/);
  void path;
});
