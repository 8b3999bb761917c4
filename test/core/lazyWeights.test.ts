/**
 * Issue 11: weight values are read only when a forward pass or a heatmap needs them, for every
 * reader. `openModel(file, {weights: false})` + `summarize` (the CLI's `summary`, the panel's first
 * paint) must not read one weight value: HDF5 reads are counted at h5wasm's Dataset (every value
 * read goes through its `value` / `slice` / `to_array`), and a TF.js model whose shard is missing
 * still summarises, while opening it with its weights names the missing shard. (The JSON dumps,
 * notebook {Wx, Wh, …} and get_weights() lists, hold their values in the text that must be parsed
 * for the shapes: there is nothing else to defer, and the panel does not read them twice.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openModel, summarize } from '../../src/core';
import { fixture } from './paths';

type Proto = Record<string, unknown>;

/** Counts the dataset value reads h5wasm performs while `f` runs (attributes are not counted). */
async function datasetReads(f: () => Promise<unknown>): Promise<string[]> {
  const h5 = (await import('h5wasm/node')) as unknown as { Dataset: { prototype: Proto } };
  const proto = h5.Dataset.prototype;
  const reads: string[] = [];
  const saved = new Map<string, PropertyDescriptor>();
  for (const name of ['_value_getter', 'slice', 'to_array']) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    assert.ok(d && typeof d.value === 'function', `h5wasm's Dataset has ${name}() (the spy watches it)`);
    saved.set(name, d);
    const original = d.value as (...a: unknown[]) => unknown;
    Object.defineProperty(proto, name, {
      ...d,
      value(this: { path: string }, ...args: unknown[]) {
        reads.push(`${name} ${this.path}`);
        return original.apply(this, args);
      },
    });
  }
  try {
    await f();
  } finally {
    for (const [name, d] of saved) Object.defineProperty(proto, name, d);
  }
  return reads;
}

const HDF5_FILES: [string, string][] = [
  ['legacy .h5 (model.save)', fixture('keras', 'seed_n15', 'model.h5')],
  ['.keras archive', fixture('keras', 'seed_n15', 'model.keras')],
  ['Keras 3 .weights.h5 (config beside it)', fixture('keras', 'seed_n15', 'model.weights.h5')],
  ['Keras 3 .weights.h5 of other layers', fixture('keras', 'misc_layers', 'model.weights.h5')],
  ['Keras 2 save_weights (layer_names at the root)', fixture('corpus', 'Spiruel__Team-Project__model.h5', 'model.h5')],
];

for (const [what, file] of HDF5_FILES) {
  test(`${what}: summary reads no weight value; the forward pass's open does`, async () => {
    let params = 0;
    const none = await datasetReads(async () => {
      const m = await openModel(file, { weights: false });
      params = summarize(m).totalParams;
      assert.ok(m.hasWeights, 'the file has weights (their shapes are known)');
      for (const l of m.layers) for (const w of l.weights) assert.equal(w.data, undefined, `${w.name} has no values`);
    });
    assert.deepEqual(none, [], `values read for a summary: ${none.join(', ')}`);
    // The spy does see reads: opening with the weights reads every tensor.
    let full = 0;
    const some = await datasetReads(async () => {
      const m = await openModel(file);
      full = summarize(m).totalParams;
      const tensors = m.layers.reduce((a, l) => a + l.weights.length, 0);
      assert.ok(tensors > 0 && m.layers.every((l) => l.weights.every((w) => w.data)), 'every tensor has values');
    });
    assert.ok(some.length > 0, 'the full open reads values');
    assert.equal(params, full, 'the same parameter count with and without the values');
  });
}

test('TF.js: a model whose weight shard is missing still summarises; opening its weights names the shard', async () => {
  const src = fixture('json', 'tfjs_seed_n15');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-lazy-'));
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(src, 'model.json'), 'utf8'));
    const shards: string[] = manifest.weightsManifest.flatMap((g: { paths: string[] }) => g.paths);
    assert.ok(shards.length > 0);
    fs.copyFileSync(path.join(src, 'model.json'), path.join(dir, 'model.json'));
    // Unreadable as well as missing: a folder where the shard should be.
    const full = await openModel(path.join(src, 'model.json'));
    const mj = path.join(dir, 'model.json');
    const meta = await openModel(mj, { weights: false });
    assert.equal(summarize(meta).totalParams, summarize(full).totalParams);
    assert.ok(meta.hasWeights);
    await assert.rejects(openModel(mj), (e: Error) => {
      assert.ok(e.message.startsWith(mj), e.message);
      assert.ok(e.message.includes(shards[0]), `names the shard ${shards[0]}: ${e.message}`);
      return true;
    });
    fs.mkdirSync(path.join(dir, shards[0]));
    assert.equal(summarize(await openModel(mj, { weights: false })).totalParams, summarize(full).totalParams);
    await assert.rejects(openModel(mj), (e: Error) => e.message.includes(shards[0]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
