/**
 * The layer registry on its own: hand-built Layer objects with Keras's weights (from the JSON
 * weight lists), the weights each spec predicts from config + input shape against the weights
 * Keras created (expected.json), and registry coverage.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture } from './paths';
import { openModel } from '../../src/core/formats';
import { loadArrays, arrayFromJson } from '../../src/core/arrays';
import { getSpec } from '../../src/core/layers/registry';
import { propagateShapes } from '../../src/core/propagate';
import { callKey } from '../../src/core/layers/graph';
import { verify } from '../../src/core/verify';
import type { Layer, NDArray, Weight } from '../../src/core/model';
import type { RunCtx, ShapeCtx } from '../../src/core/layers/types';

const load = async (f: string): Promise<NDArray> => (await loadArrays(f))[0].array;
const weight = (role: string, a: NDArray): Weight => ({ name: role, role, shape: a.shape, dtype: 'float32', trainable: true, data: Float32Array.from(a.data) });
const ctx = (): RunCtx => ({ model: undefined as never, trace: null });

test('hand-built SimpleRNN → Dense with get_weights() from weight_list.json reproduce Keras (seed_n15)', async () => {
  const list = JSON.parse(fs.readFileSync(fixture('json', 'weight_list.json'), 'utf8')) as unknown[];
  const [Wx, Wh, bh, Wo, bo] = list.map((w) => arrayFromJson(w as never));
  const M = Wh.shape[0];
  const K = Wo.shape[1];
  const rnn: Layer = {
    name: 'simple_rnn',
    className: 'SimpleRNN',
    config: { units: M, activation: 'tanh', use_bias: true },
    weights: [weight('kernel', Wx), weight('recurrent_kernel', Wh), weight('bias', bh)],
    inbound: [],
  };
  const dense: Layer = { name: 'dense', className: 'Dense', config: { units: K }, weights: [weight('kernel', Wo), weight('bias', bo)], inbound: [] };
  const X = await load(fixture('keras', 'seed_n15', 'X.npy'));
  const [h] = getSpec('SimpleRNN')!.forward!(rnn, [{ array: X, mask: null }], ctx());
  assert.deepEqual(h.array.shape, [X.shape[0], M]);
  const [y] = getSpec('Dense')!.forward!(dense, [h], ctx());
  const r = verify([y.array], [await load(fixture('keras', 'seed_n15', 'Y.npy'))]);
  assert.ok(r.pass, `max |Δ| ${r.outputs[0].maxAbsDiff}`);
});

test('hand-built LSTM with gate order i, f, c, o reproduces Keras (weight_list_lstm.json)', async () => {
  const list = JSON.parse(fs.readFileSync(fixture('json', 'weight_list_lstm.json'), 'utf8')) as unknown[];
  const [Wx, Wh, b, Wo, bo] = list.map((w) => arrayFromJson(w as never));
  const M = Wh.shape[0];
  const lstm: Layer = {
    name: 'lstm',
    className: 'LSTM',
    config: { units: M },
    weights: [weight('kernel', Wx), weight('recurrent_kernel', Wh), weight('bias', b)],
    inbound: [],
  };
  const dense: Layer = { name: 'dense', className: 'Dense', config: { units: Wo.shape[1] }, weights: [weight('kernel', Wo), weight('bias', bo)], inbound: [] };
  const X = await load(fixture('keras', 'lstm', 'X.npy'));
  const [h] = getSpec('LSTM')!.forward!(lstm, [{ array: X, mask: null }], ctx());
  const [y] = getSpec('Dense')!.forward!(dense, [h], ctx());
  assert.ok(verify([y.array], [await load(fixture('keras', 'lstm', 'Y.npy'))]).pass);
});

test('each spec predicts from config + input shape exactly the weights Keras created (shape, trainable)', async () => {
  const root = fixture('keras');
  let checked = 0;
  for (const c of fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, 'model.keras'))).sort()) {
    const exp = JSON.parse(fs.readFileSync(path.join(root, c, 'expected.json'), 'utf8'));
    const model = await openModel(path.join(root, c, 'model.keras'), { weights: false });
    const sctx: ShapeCtx = { model, notes: [] };
    const shapes = propagateShapes(model, sctx);
    for (const el of exp.layers as { name: string; weights: { shape: number[]; trainable: boolean }[] }[]) {
      const layer = model.layers.find((l) => l.name === el.name)!;
      const spec = getSpec(layer.className)!;
      const inputs = shapes.in.get(callKey(layer.name, 0))!;
      const predicted = spec.expectedWeights?.(layer, inputs, sctx) ?? [];
      assert.deepEqual(
        predicted.map((w) => [w.shape, w.trainable]),
        el.weights.map((w) => [w.shape, w.trainable]),
        `${c}/${el.name}`,
      );
      checked += predicted.length;
    }
  }
  assert.ok(checked > 100, `${checked} weights checked`);
});

test('the registry covers every Keras class the inspector promises', () => {
  const classes = [
    'InputLayer', 'SimpleRNN', 'LSTM', 'GRU', 'Bidirectional', 'Embedding', 'Dense', 'TimeDistributed', 'Dropout',
    'SpatialDropout1D', 'GaussianNoise', 'GaussianDropout', 'AlphaDropout', 'BatchNormalization', 'LayerNormalization',
    'RepeatVector', 'Flatten', 'Reshape', 'Permute', 'Activation', 'Masking', 'Concatenate', 'Add', 'Subtract', 'Multiply',
    'Average', 'Maximum', 'Minimum', 'GlobalAveragePooling1D', 'GlobalMaxPooling1D', 'Conv1D', 'MaxPooling1D',
    'AveragePooling1D', 'Lambda',
  ];
  for (const c of classes) assert.ok(getSpec(c), c);
  assert.equal(getSpec('Lambda')!.forward, undefined, 'Lambda holds Python code: shapes only');
});
