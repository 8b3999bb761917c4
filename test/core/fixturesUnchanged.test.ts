/**
 * Nothing is written: a full session over every model fixture (open, summary, model.summary()
 * text, forward pass and verification against the sidecar predictions or seeded random inputs,
 * gradients) leaves the bytes and the modification times of every file under test/fixtures/
 * exactly as they were.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findSidecars, forward, gradients, kerasSummary, loadArrays, openModel, randomInputs, summarize, verify } from '../../src/core';
import { fixture } from './paths';
import { changedFiles, snapshot, walk } from '../fuzz/sentinels';

const MODEL = /\.(h5|hdf5|keras)$|(^|\/)(notebook_dump[^/]*|weight_list[^/]*|model_config[^/]*|model)\.json$/;

test('a full session over every fixture changes no byte and no mtime under test/fixtures/', { timeout: 600_000 }, async () => {
  const root = fixture();
  const files = walk(root).sort();
  const before = snapshot(root);
  const models = files.filter((f) => MODEL.test(f) && !/expected\.json$/.test(f));
  let opened = 0;
  let ran = 0;
  for (const f of models) {
    let model;
    try {
      model = await openModel(f);
    } catch {
      continue; // test/fixtures/bad/ and friends: an error is the point
    }
    opened++;
    try {
      const s = summarize(model);
      kerasSummary(model, s);
      if (!model.hasWeights) continue;
      const side = findSidecars(f);
      const inputs = side.inputs ? (await Promise.all(side.inputs.map(loadArrays))).flat().map((a) => a.array) : randomInputs(model, 2, 0).arrays;
      const out = forward(model, inputs);
      const expected = side.expected ? (await Promise.all(side.expected.map(loadArrays))).flat().map((a) => a.array) : out.outputs.map((o) => o.array);
      verify(out.outputs, expected);
      gradients(model, inputs, expected);
      ran++;
    } catch {
      // A layer without a forward or backward step: what was read still must not be written.
    }
  }
  assert.ok(opened > 100, `opened ${opened} model fixtures`);
  assert.ok(ran > 50, `ran ${ran} forward passes and gradients`);
  const after = walk(root).sort();
  assert.deepEqual(after, files, 'no file was created or removed under test/fixtures/');
  const changed = changedFiles(root, before);
  assert.deepEqual(changed, [], 'no fixture was modified');
});
