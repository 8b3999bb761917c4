/**
 * Readers against files written by real Keras (test/fixtures, made by scripts/make_fixtures.py) and
 * real public files (../shared/corpus). Every expected number comes from Keras.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InspectorError, forward, loadArrays, openModel, verify, type Model } from '../../src/core';
import { CORPUS_DIR, corpusFile, fixture } from './paths';

const paramsOf = (m: Model) => m.layers.reduce((a, l) => a + l.weights.reduce((b, w) => b + w.shape.reduce((x, y) => x * y, 1), 0), 0);

interface ExpectedCase {
  case: string;
  model_class: string;
  total_params: number;
  layers: { name: string; class_name: string; params: number; weights: { name: string; shape: number[] }[] }[];
  skipped_formats?: string[];
}

const KERAS_DIR = fixture('keras');
const cases = fs
  .readdirSync(KERAS_DIR)
  .filter((c) => fs.existsSync(path.join(KERAS_DIR, c, 'expected.json')))
  .map((c) => JSON.parse(fs.readFileSync(path.join(KERAS_DIR, c, 'expected.json'), 'utf8')) as ExpectedCase);

test('there are Keras fixture cases to read', () => {
  assert.ok(cases.length >= 20, `only ${cases.length} cases`);
});

for (const c of cases) {
  for (const file of ['model.h5', 'model.keras', 'model.weights.h5']) {
    const p = path.join(KERAS_DIR, c.case, file);
    if (!fs.existsSync(p)) continue;
    test(`${c.case}/${file}: weights in get_weights() order with Keras's shapes`, async () => {
      const m = await openModel(p);
      assert.equal(paramsOf(m), c.total_params);
      // Every weighted layer, in order, carries Keras's shapes in Keras's order.
      const expectedShapes = c.layers.filter((l) => l.weights.length).map((l) => l.weights.map((w) => w.shape));
      const ours = m.layers.filter((l) => l.weights.length).map((l) => l.weights.map((w) => w.shape));
      if (file === 'model.weights.h5' && m.className === 'Inferred') {
        // A weight store records no layer order across classes: compare as a multiset of layers.
        const key = (x: number[][][]) => x.map((ws) => JSON.stringify(ws)).sort();
        assert.deepEqual(key(ours), key(expectedShapes));
      } else {
        assert.deepEqual(ours, expectedShapes);
      }
      if (file !== 'model.weights.h5') {
        // With a config the layer names and classes are Keras's own.
        const names = m.layers.filter((l) => !l.implicit).map((l) => [l.name, l.className]);
        assert.deepEqual(names, c.layers.map((l) => [l.name, l.class_name]));
        assert.ok(m.layers.every((l) => l.weights.every((w) => w.data && w.data.length === w.shape.reduce((x, y) => x * y, 1))));
      }
    });
  }
}

test('metadata-only open reads shapes without values', async () => {
  const m = await openModel(fixture('keras', 'seed_n1', 'model.h5'), { weights: false });
  assert.equal(paramsOf(m), 57);
  assert.ok(m.layers.every((l) => l.weights.every((w) => w.data === undefined)));
});

// --- the corpus: every real file opens with its parameter total -----------------------------------
const corpusExpected: Record<string, number> = JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, 'expected.json'), 'utf8')).total_params;

/** Keras's own count for a corpus file, from the fixture generator's meta.json when it rebuilt the model. */
function kerasCount(name: string): number | undefined {
  const meta = fixture('corpus', name, 'meta.json');
  return fs.existsSync(meta) ? JSON.parse(fs.readFileSync(meta, 'utf8')).count_params : undefined;
}

for (const [name, total] of Object.entries(corpusExpected)) {
  test(`corpus: ${name} opens with its parameter total`, async () => {
    const m = await openModel(corpusFile(name));
    const ours = paramsOf(m);
    if (ours !== total && name.startsWith('Soorya-Kumar')) {
      // expected.json sums every dataset of this weights-only file, its optimizer state too
      // (2 slots per weight + iteration + learning rate); Keras's count_params of the model is the
      // model weights alone.
      const keras = kerasCount(name);
      assert.ok(keras !== undefined, 'meta.json from real Keras is needed for this file');
      assert.equal(ours, keras);
      assert.equal(total, 3 * keras + 2);
      return;
    }
    assert.equal(ours, total);
  });
}

test('corpus: the Keras 1 LSTM weights are converted from per-gate i,c,f,o tensors to i,f,c,o kernels', async () => {
  const m = await openModel(corpusFile('FrownyFace__NN__lstm_weights.h5'));
  const lstm = m.layers.find((l) => l.name === 'lstm_1')!;
  assert.equal(lstm.className, 'LSTM');
  assert.deepEqual(lstm.weights.map((w) => [w.role, w.shape]), [
    ['kernel', [3, 200]],
    ['recurrent_kernel', [50, 200]],
    ['bias', [200]],
  ]);
  assert.ok(m.notes.some((n) => /architecture read from/.test(n)));
});

test('corpus: a Keras 3 weight store without config is rebuilt from shapes and says so', async () => {
  const m = await openModel(corpusFile('Soorya-Kumar__RNN-CongestionControl__grumodel.weights.h5'));
  assert.equal(m.className, 'Inferred');
  assert.deepEqual(m.layers.filter((l) => l.className === 'GRU').map((l) => l.config.units), [70, 70, 70, 70, 70]);
  assert.ok(m.notes.some((n) => /inferred/.test(n)));
});

test('corpus: the TF.js folder and its model.json both open', async () => {
  const dir = corpusFile('rochanehurst__FlightDelayPrediction__tfjs_lstm_model');
  const a = await openModel(dir);
  const b = await openModel(path.join(dir, 'model.json'));
  assert.equal(paramsOf(a), corpusExpected['rochanehurst__FlightDelayPrediction__tfjs_lstm_model']);
  assert.equal(paramsOf(b), paramsOf(a));
  assert.equal(a.format.id, 'tfjs-layers');
});

// --- JSON formats ---------------------------------------------------------------------------------
const seed15 = JSON.parse(fs.readFileSync(fixture('keras', 'seed_n15', 'expected.json'), 'utf8')) as ExpectedCase;

for (const f of ['notebook_dump.json', 'notebook_dump_aliases.json', 'notebook_dump_keras_names.json', 'weight_list.json']) {
  test(`json: ${f} gives the notebook model's shapes`, async () => {
    const m = await openModel(fixture('json', f));
    assert.equal(paramsOf(m), seed15.total_params);
    const shapes = m.layers.filter((l) => l.weights.length).map((l) => l.weights.map((w) => w.shape));
    assert.deepEqual(shapes, seed15.layers.filter((l) => l.weights.length).map((l) => l.weights.map((w) => w.shape)));
  });
}

test('json: a model.to_json() architecture opens without weights', async () => {
  const m = await openModel(fixture('json', 'model_config.json'));
  assert.equal(m.hasWeights, false);
  assert.equal(m.format.id, 'keras-json-config');
});

test('json: a TF.js layers model written from Keras opens with Keras shapes', async () => {
  const m = await openModel(fixture('json', 'tfjs_seed_n15', 'model.json'));
  assert.equal(paramsOf(m), seed15.total_params);
  const bi = JSON.parse(fs.readFileSync(fixture('keras', 'bidir_concat', 'expected.json'), 'utf8')) as ExpectedCase;
  const m2 = await openModel(fixture('json', 'tfjs_bidir_concat', 'model.json'));
  assert.equal(paramsOf(m2), bi.total_params);
});

// --- bad input: a clear error naming the file ------------------------------------------------------
const badDir = fixture('bad');
for (const f of fs.existsSync(badDir) ? fs.readdirSync(badDir).filter((n) => !n.endsWith('index.json') && n !== 'missing_weights.keras') : []) {
  test(`bad input: ${f} gives an InspectorError naming the file`, async () => {
    const p = path.join(badDir, f);
    await assert.rejects(openModel(p), (e: unknown) => {
      assert.ok(e instanceof InspectorError, `not an InspectorError: ${e}`);
      assert.ok(e.message.startsWith(p), e.message);
      assert.ok(e.problem.length > 10 && !/\n/.test(e.problem), e.problem);
      return true;
    });
  });
}

test('a .keras archive without model.weights.h5 still shows its architecture, and says there are no weights', async () => {
  const m = await openModel(path.join(badDir, 'missing_weights.keras'));
  assert.equal(m.hasWeights, false);
  assert.ok(m.notes.some((n) => /no model\.weights\.h5/.test(n)));
});

test('bad input: a missing file and a .npy given as a model', async () => {
  await assert.rejects(openModel('/nonexistent/model.h5'), /model\.h5: file not found/);
  await assert.rejects(openModel(fixture('keras', 'seed_n1', 'X.npy')), /NumPy array file/);
});

test('corpus: a weights-only Keras 3 store given its architecture (--config) reproduces Keras', async () => {
  
  const dir = fixture('corpus', 'Soorya-Kumar__RNN-CongestionControl__grumodel.weights.h5');
  const m = await openModel(corpusFile('Soorya-Kumar__RNN-CongestionControl__grumodel.weights.h5'), { configPath: path.join(dir, 'architecture.json') });
  assert.notEqual(m.className, 'Inferred');
  const [{ array: X }] = await loadArrays(path.join(dir, 'X.npy'));
  const [{ array: Y }] = await loadArrays(path.join(dir, 'Y.npy'));
  assert.equal(verify(forward(m, [X]).outputs, [Y]).pass, true);
});
