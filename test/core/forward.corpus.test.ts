/**
 * The shared corpus of real public Keras files: for each file whose predictions real Keras made
 * (test/fixtures/corpus/<file>/), the parameter totals and per-layer rows must equal Keras's and
 * the forward pass must reproduce Keras's predictions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture, corpusFile } from './paths';
import { openModel } from '../../src/core/formats';
import { loadArrays } from '../../src/core/arrays';
import { summarize } from '../../src/core/shapes';
import { forward } from '../../src/core/forward';
import { fileHardSigmoid } from '../../src/core/hardSigmoid';
import { verify } from '../../src/core/verify';
import type { Model, NDArray, Shape } from '../../src/core/model';

const DIR = fixture('corpus');
const SUMMARY = path.join(DIR, 'summary.json');

interface Entry {
  file: string;
  loaded: boolean;
  model_class: string;
  layers: { name: string; class_name: string; output_shape: Shape | Shape[]; params: number }[];
  total_params: number;
  trainable_params: number;
  non_trainable_params: number;
}
interface Meta {
  inputs: string[];
  outputs: string[];
  count_params?: number;
  alt_outputs?: Record<string, string>;
}

const entries: Entry[] = fs.existsSync(SUMMARY) ? (JSON.parse(fs.readFileSync(SUMMARY, 'utf8')).files as Entry[]) : [];
const asShapes = (s: Shape | Shape[]): Shape[] => (Array.isArray(s[0]) || s.length === 0 ? (s as Shape[]) : [s as Shape]);

const cache = new Map<string, Promise<Model>>();
const open = (f: string): Promise<Model> => {
  if (!cache.has(f)) cache.set(f, openModel(f));
  return cache.get(f)!;
};

async function arrays(dir: string, files: string[]): Promise<NDArray[]> {
  const out: NDArray[] = [];
  for (const f of files) out.push((await loadArrays(path.join(dir, f)))[0].array);
  return out;
}

for (const e of entries) {
  const file = corpusFile(e.file);
  const dir = path.join(DIR, e.file);
  if (!e.loaded || !fs.existsSync(file) || !fs.existsSync(path.join(dir, 'meta.json'))) continue;
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Meta;

  test(`corpus ${e.file}: parameters match Keras`, async () => {
    const model = await open(file);
    const s = summarize(model);
    assert.equal(s.totalParams, e.total_params, 'total params');
    assert.equal(s.trainableParams, e.trainable_params, 'trainable params');
    if (model.className === 'Inferred') return; // names and weightless layers are not in the file
    const keep = (cls: string) => cls !== 'InputLayer';
    const got = s.layers.filter((l) => keep(l.className)).map((l) => [l.name, l.className, l.outputShape, l.params]);
    const want = e.layers.filter((l) => keep(l.class_name)).map((l) => [l.name, l.class_name, asShapes(l.output_shape), l.params]);
    assert.deepEqual(got, want);
  });

  test(`corpus ${e.file}: forward pass matches Keras's predictions`, async (t) => {
    let model = await open(file);
    if (model.className === 'Inferred') {
      // A weights-only file cannot record RepeatVector's n: take the repeat count Keras was given.
      model = {
        ...model,
        layers: model.layers.map((l) => {
          const k = e.layers.find((x) => x.name === l.name && x.class_name === 'RepeatVector');
          return l.className === 'RepeatVector' && l.config.n == null && k ? { ...l, config: { ...l.config, n: (k.output_shape as Shape)[1] } } : l;
        }),
      };
      // Weights-only file: compare only when the rebuilt layer order is the one Keras was given.
      const ours = model.layers.filter((l) => l.className !== 'InputLayer').map((l) => l.className);
      const theirs = e.layers.filter((l) => l.class_name !== 'InputLayer').map((l) => l.class_name);
      if (ours.join() !== theirs.join()) {
        t.skip(`inferred topology ${ours.join('→')} differs from Keras's ${theirs.join('→')}`);
        return;
      }
    }
    const xs = await arrays(dir, meta.inputs);
    // Y.npy: what Keras 3.15 predicts for this file (its hard_sigmoid is clip(x/6 + 0.5)).
    const check = (rep: ReturnType<typeof verify>) => {
      const bad = rep.outputs.filter((o) => !o.pass).map((o) => `${o.name}: ${o.mismatches}/${o.count} off, max |Δ| ${o.maxAbsDiff}`);
      assert.ok(rep.pass, bad.join('; '));
    };
    const Y = await arrays(dir, meta.outputs);
    check(verify(forward(model, xs, { hardSigmoid: 'keras3' }).outputs, Y));
    // Keras 1/2 files: the fixture maker also recorded Keras's predictions with the old clip(0.2x + 0.5).
    const alt = Object.keys(meta.alt_outputs ?? {}).find((k) => k.includes('keras2_hard_sigmoid'));
    const Y2 = alt ? await arrays(dir, [alt]) : undefined;
    if (Y2) check(verify(forward(model, xs, { hardSigmoid: 'keras2' }).outputs, Y2));
    // By default: the definition of the Keras that wrote the file (a file that records no version: Keras 3's).
    const mine = fileHardSigmoid(model).semantics;
    if (Y2 && model.kerasVersion) assert.equal(mine, 'keras2', `file written by Keras ${model.kerasVersion}`);
    check(verify(forward(model, xs).outputs, mine === 'keras2' && Y2 ? Y2 : Y));
  });
}
