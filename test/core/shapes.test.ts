/**
 * summarize(): parameter counts from the configuration alone (architecture-only files), the
 * user's D/M/K notation, arithmetic and equations, notes for disagreeing weights and the
 * unsupported list. Every expected number is Keras's (expected.json written by real Keras).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture } from './paths';
import { openModel } from '../../src/core/formats';
import { summarize } from '../../src/core/shapes';
import { forward } from '../../src/core/forward';
import type { Model, Shape } from '../../src/core/model';

interface ExpectedLayer {
  name: string;
  class_name: string;
  output_shape: Shape | Shape[];
  params: number;
  trainable_params?: number;
  weights?: { name: string; shape: number[]; trainable: boolean }[];
}
interface Expected {
  layers: ExpectedLayer[];
  total_params: number;
  trainable_params: number;
  non_trainable_params: number;
  rnn_layers?: { name: string; units: number; activation: string; recurrent_activation?: string; class_name: string }[];
  input_shapes?: number[][];
  output_shapes?: number[][];
}

const KERAS = fixture('keras');
const expectedOf = (c: string): Expected => JSON.parse(fs.readFileSync(path.join(KERAS, c, 'expected.json'), 'utf8')) as Expected;
const asShapes = (s: Shape | Shape[]): Shape[] => (Array.isArray(s[0]) || s.length === 0 ? (s as Shape[]) : [s as Shape]);
const cases = fs.existsSync(KERAS) ? fs.readdirSync(KERAS).filter((d) => fs.existsSync(path.join(KERAS, d, 'model.keras'))).sort() : [];

const cache = new Map<string, Promise<Model>>();
const open = (f: string): Promise<Model> => {
  if (!cache.has(f)) cache.set(f, openModel(f));
  return cache.get(f)!;
};
const keras = (c: string): Promise<Model> => open(path.join(KERAS, c, 'model.keras'));

/** The same model as an architecture-only file would give it: no weights at all. */
const withoutWeights = (m: Model): Model => ({
  ...m,
  hasWeights: false,
  layers: m.layers.map((l) => ({ ...l, weights: [], inner: l.inner?.map((i) => ({ ...i, weights: [] })) })),
});

test('architecture only: parameters and shapes come from the config and equal Keras for every case', async () => {
  assert.ok(cases.length > 0, 'Keras fixture cases present');
  for (const c of cases) {
    const exp = expectedOf(c);
    const s = summarize(withoutWeights(await keras(c)));
    const got = s.layers.map((l) => [l.name, l.outputShape, l.params, l.trainableParams]);
    const want = exp.layers.map((l) => [l.name, asShapes(l.output_shape), l.params, l.trainable_params ?? l.params]);
    assert.deepEqual(got, want, c);
    assert.equal(s.totalParams, exp.total_params, `${c} total`);
    assert.equal(s.nonTrainableParams, exp.non_trainable_params, `${c} non-trainable`);
  }
});

test('architecture only: to_json() files give Keras per-layer parameters', async () => {
  for (const [cfgFile, expFile] of [
    ['model_config.json', 'model_config.expected.json'],
    ['model_config_lstm.json', 'model_config_lstm.expected.json'],
  ]) {
    const m = await openModel(fixture('json', cfgFile));
    assert.equal(m.hasWeights, false);
    const exp = JSON.parse(fs.readFileSync(fixture('json', expFile), 'utf8')) as Expected;
    const s = summarize(m);
    assert.deepEqual(
      s.layers.map((l) => [l.name, l.outputShape, l.params]),
      exp.layers.map((l) => [l.name, asShapes(l.output_shape), l.params]),
    );
    assert.equal(s.totalParams, exp.total_params);
    // Weight shapes predicted from the config are Keras's.
    assert.deepEqual(
      s.layers.map((l) => l.weights.map((w) => w.shape)),
      exp.layers.map((l) => (l.weights ?? []).map((w) => w.shape)),
    );
    assert.ok(s.notes.some((n) => /no weights/.test(n)));
  }
});

test("the notebook model: D/M/K legend, Wx/Wh/bh/Wo/bo notation and arithmetic adding up to Keras's counts", async () => {
  const exp = expectedOf('seed_n1');
  const s = summarize(await keras('seed_n1'));
  const rnn = exp.rnn_layers![0];
  const [input] = exp.input_shapes!;
  assert.deepEqual(s.dims, { N: null, T: input[1], D: input[2], M: [rnn.units], K: exp.output_shapes![0][1] });
  const [, simple, dense] = s.layers;
  assert.deepEqual(
    simple.weights.map((w) => [w.symbol, w.notation, w.shape]),
    [
      ['Wx', 'D×M', [input[2], rnn.units]],
      ['Wh', 'M×M', [rnn.units, rnn.units]],
      ['bh', 'M', [rnn.units]],
    ],
  );
  assert.deepEqual(dense.weights.map((w) => [w.symbol, w.notation]), [
    ['Wo', 'M×K'],
    ['bo', 'K'],
  ]);
  const D = input[2];
  const M = rnn.units;
  const K = exp.output_shapes![0][1];
  assert.equal(simple.arithmetic, `${D}×${M} + ${M}×${M} + ${M} = ${exp.layers[1].params}`);
  assert.equal(dense.arithmetic, `${M}×${K} + ${K} = ${exp.layers[2].params}`);
  assert.deepEqual(simple.equations, [`h_t = ${rnn.activation}(x_t·Wx + h_{t-1}·Wh + bh)`]);
  assert.deepEqual(dense.equations, ['y = h_T·Wo + bo']);
  assert.equal(s.totalBytes, exp.total_params * 4, 'float32 weights');
  assert.deepEqual(s.unsupported, []);
});

test('every arithmetic string ends in the parameter count Keras reports for that layer', async () => {
  let checked = 0;
  for (const c of cases) {
    const exp = expectedOf(c);
    const s = summarize(await keras(c));
    s.layers.forEach((l, i) => {
      if (!l.arithmetic) return;
      assert.ok(l.arithmetic.endsWith(`= ${exp.layers[i].params}`), `${c}/${l.name}: ${l.arithmetic} vs ${exp.layers[i].params}`);
      checked++;
    });
  }
  assert.ok(checked > 50);
});

test('gated layers: LSTM i,f,c,o and GRU z,r,h blocks; GRU reset_after bias 2×3M, reset-before 3M', async () => {
  const lstm = summarize(await keras('lstm')).layers.find((l) => l.className === 'LSTM')!;
  const M = expectedOf('lstm').rnn_layers![0].units;
  assert.deepEqual(lstm.weights.map((w) => w.notation), ['D×4M', 'M×4M', '4M']);
  assert.deepEqual(lstm.weights[0].blocks, [
    { gate: 'i', columns: [0, M] },
    { gate: 'f', columns: [M, 2 * M] },
    { gate: 'c', columns: [2 * M, 3 * M] },
    { gate: 'o', columns: [3 * M, 4 * M] },
  ]);
  assert.match(lstm.arithmetic!, /^4×\(/);
  assert.equal(lstm.equations!.length, 6);
  assert.match(lstm.equations![0], /^i_t = sigmoid\(/);

  const gru = summarize(await keras('gru')).layers.find((l) => l.className === 'GRU')!;
  assert.deepEqual(gru.weights.map((w) => w.notation), ['D×3M', 'M×3M', '2×3M']);
  assert.deepEqual(gru.weights[2].shape[0], 2, 'Keras stores the reset_after bias as (2, 3M)');
  assert.deepEqual(gru.weights[0].blocks!.map((b) => b.gate), ['z', 'r', 'h']);
  assert.match(gru.equations![2], /r_t ⊙ \(h_\{t-1\}·Wh_h/);

  const before = summarize(await keras('gru_reset_before')).layers.find((l) => l.className === 'GRU')!;
  assert.deepEqual(before.weights.map((w) => w.notation), ['D×3M', 'M×3M', '3M']);
  assert.match(before.equations![2], /\(r_t ⊙ h_\{t-1\}\)·Wh_h/);
});

test('Bidirectional lists its forward and backward layers; the wrapper counts both', async () => {
  const exp = expectedOf('bidir_concat');
  const s = summarize(await keras('bidir_concat'));
  const bi = s.layers.find((l) => l.className === 'Bidirectional')!;
  const want = exp.layers.find((l) => l.class_name === 'Bidirectional')!;
  assert.equal(bi.params, want.params);
  assert.equal(bi.inner?.length, 2);
  assert.equal(bi.inner![0].params + bi.inner![1].params, want.params);
  assert.match(bi.arithmetic!, new RegExp(`^2×\\(.*\\) = ${want.params}$`));
  assert.deepEqual(s.dims.M, [exp.rnn_layers![0].units]);
});

test('stored weights that disagree with the config give a note, not a crash', async () => {
  const m = await keras('seed_n1');
  const broken: Model = {
    ...m,
    layers: m.layers.map((l) => (l.className === 'Dense' ? { ...l, config: { ...l.config, units: 7 } } : l)),
  };
  const s = summarize(broken);
  const dense = s.layers.find((l) => l.className === 'Dense')!;
  assert.equal(dense.params, expectedOf('seed_n1').layers[2].params, 'counts come from the stored weights');
  assert.ok(s.notes.some((n) => n.includes(dense.name) && /config implies/.test(n)), s.notes.join('\n'));
});

test('a layer the forward pass cannot run is listed as unsupported, and forward() says so', async () => {
  const m = await keras('seed_n1');
  const odd: Model = { ...m, layers: m.layers.map((l) => (l.className === 'Dense' ? { ...l, className: 'MysteryLayer' } : l)) };
  const s = summarize(odd);
  const name = m.layers.find((l) => l.className === 'Dense')!.name;
  assert.deepEqual(s.unsupported, [`not supported: MysteryLayer (layer ${name})`]);
  assert.equal(s.layers.find((l) => l.name === name)!.forwardSupported, false);
  assert.equal(s.layers.find((l) => l.name === name)!.params, expectedOf('seed_n1').layers[2].params);
  // After loading, the problem names the model's file (issue 9).
  assert.throws(() => forward(odd, []), { problem: `not supported: MysteryLayer (layer ${name})`, file: m.source.path });
});

test("a Functional model lists its InputLayers, a Sequential's implicit one is hidden, as in model.summary()", async () => {
  const seq = summarize(await keras('sequential_seed'));
  assert.deepEqual(seq.layers.map((l) => l.className), expectedOf('sequential_seed').layers.map((l) => l.class_name));
  const fn = summarize(await keras('functional_branches'));
  assert.deepEqual(fn.layers.map((l) => l.className), expectedOf('functional_branches').layers.map((l) => l.class_name));
  const concat = fn.layers.find((l) => l.className === 'Concatenate')!;
  assert.deepEqual(concat.inbound, ['simple_rnn', 'gru']);
});
