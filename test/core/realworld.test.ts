/**
 * Section W (test/fixtures/realworld/<case>/, made by scripts/fixtures_realworld.py with Keras):
 * real-world model features — RNN calls with initial_state (from another layer's return_state
 * outputs, from Inputs, Bidirectional's four states), several inputs and outputs, and calls the
 * forward pass must refuse in one clear line. Each case is saved as .keras and legacy .h5; both
 * must give Keras's parameter total, its model.summary() text (with "Connected to") and its
 * predictions (atol 1e-4 + rtol 1e-4).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture } from './paths';
import { InspectorError, forward, kerasSummary, loadArrays, openModel, summarize, verify, type NDArray } from '../../src/core';

const DIR = fixture('realworld');
const TOL = { atol: 1e-4, rtol: 1e-4 };
const index = JSON.parse(fs.readFileSync(path.join(DIR, 'index.json'), 'utf8')) as { cases: string[] };

interface Meta {
  files: string[];
  count_params: number;
  trainable_params: number;
  inputs: string[];
  outputs?: string[];
  expect_error?: string;
  summary: string;
}

async function arrays(dir: string, files: string[]): Promise<NDArray[]> {
  const out: NDArray[] = [];
  for (const f of files) out.push((await loadArrays(path.join(dir, f)))[0].array);
  return out;
}

for (const name of index.cases) {
  const dir = path.join(DIR, name);
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Meta;
  for (const file of meta.files) {
    test(`realworld ${name}/${file}: Keras's parameters, summary and ${meta.expect_error ? 'a clear refusal' : 'predictions'}`, async () => {
      const model = await openModel(path.join(dir, file));
      const s = summarize(model);
      assert.equal(s.totalParams, meta.count_params);
      assert.equal(s.trainableParams, meta.trainable_params);
      if (file.endsWith('.keras')) {
        // The legacy .h5 writer drops the model name's quotes differently; the .keras text is Keras's.
        assert.equal(kerasSummary(model, s).lines.join('\n').trimEnd(), meta.summary.trimEnd());
      }
      const xs = await arrays(dir, meta.inputs);
      if (meta.expect_error) {
        assert.throws(
          () => forward(model, xs),
          (e: unknown) => e instanceof InspectorError && e.message.includes(meta.expect_error!) && !e.message.includes('\n'),
        );
        assert.ok(s.unsupported.some((u) => u.includes(meta.expect_error!)), 'the summary lists the call as not supported');
        return;
      }
      const rep = verify(forward(model, xs).outputs, await arrays(dir, meta.outputs!), TOL);
      const bad = rep.outputs.filter((o) => !o.pass).map((o) => `${o.name}: max |Δ| ${o.maxAbsDiff}`);
      assert.ok(rep.pass, bad.join('; '));
    });
  }
}

test('realworld: the decoder says where its initial states come from', async () => {
  const model = await openModel(path.join(DIR, 's2s_lstm', 'model.keras'));
  const dec = summarize(model).layers.find((l) => l.name === 'decoder')!;
  assert.ok(dec.equations?.some((e) => e.includes('h_0 = encoder[0][1], c_0 = encoder[0][2]')), JSON.stringify(dec.equations));
});
