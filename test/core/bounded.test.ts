/**
 * openModelBounded: a model opened in a worker thread comes back whole; the time and memory
 * budgets and cancellation stop it with a clear error naming the file; the error boundary says
 * internal failures in words and keeps their text for the log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { InspectorError, openModel, openModelBounded } from '../../src/core';
import { findOpenWorker } from '../../src/core/bounded';
import { internalError } from '../../src/core/formats';
import { fixture } from './paths';

const h5 = fixture('keras', 'seed_n1', 'model.h5');

async function rejects(p: Promise<unknown>, re: RegExp, file: string): Promise<InspectorError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof InspectorError, `an InspectorError, got ${e}`);
    assert.equal(e.file, file);
    assert.match(e.problem, re);
    return e;
  }
  assert.fail('expected a rejection');
}

test('the open worker is compiled beside bounded.js (tests run it from out/)', () => {
  assert.ok(findOpenWorker(path.join(__dirname, '..', '..', 'src', 'core')));
});

test('a model opened in the worker equals the model opened in process, typed arrays included', async () => {
  const [a, b] = await Promise.all([openModelBounded(h5), openModel(h5)]);
  assert.equal(a.layers.length, b.layers.length);
  for (let i = 0; i < a.layers.length; i++) {
    assert.equal(a.layers[i].name, b.layers[i].name);
    assert.equal(a.layers[i].weights.length, b.layers[i].weights.length);
    a.layers[i].weights.forEach((w, k) => {
      const v = b.layers[i].weights[k];
      assert.deepEqual(w.shape, v.shape);
      assert.ok(ArrayBuffer.isView(w.data), 'weights stay typed arrays');
      assert.deepEqual(Array.from(w.data as ArrayLike<number>), Array.from(v.data as ArrayLike<number>));
    });
  }
  assert.deepEqual(a.source, b.source);
});

/**
 * The worker script under a path of its own (a symlink): a worker that has not opened anything yet
 * (the pool reuses workers per script path). A reused worker opens this small file in ~15 ms, before
 * the first 100 ms memory check and possibly before a 1 ms timer fires, so the budget tests use a
 * fresh one, which loads h5wasm first (hundreds of ms, tens of MB).
 */
function freshWorkerScript(): string {
  const real = findOpenWorker(path.join(__dirname, '..', '..', 'src', 'core'))!;
  const link = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-bounded-worker-')), 'openWorker.js');
  fs.symlinkSync(real, link);
  return link;
}

test('over the time budget: stopped with "took longer than … to open", naming the file, promptly', async () => {
  const t0 = Date.now();
  await rejects(openModelBounded(h5, { timeMs: 1, workerScript: freshWorkerScript() }), /^took longer than 1 ms to open, so it was stopped; the file may be damaged or hostile$/, h5);
  assert.ok(Date.now() - t0 < 5000);
});

test('over the memory budget: stopped, naming the file', async () => {
  await rejects(openModelBounded(h5, { memoryMb: 0.001, timeMs: 60_000, workerScript: freshWorkerScript() }), /^needed more than 0\.001 MB of memory to open/, h5);
});

test('cancelled: stopped with "opening was cancelled"; a good file opens afterwards', async () => {
  const ac = new AbortController();
  const p = openModelBounded(h5, { signal: ac.signal });
  ac.abort();
  await rejects(p, /^opening was cancelled$/, h5);
  const again = await openModelBounded(h5);
  assert.ok(again.layers.length > 0);
});

test('a reader error crosses the worker as the same InspectorError, file named by the display name', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-bounded-'));
  try {
    const f = path.join(dir, 'not-a-model.h5');
    fs.writeFileSync(f, 'hello');
    const e = await rejects(openModelBounded(f, { displayName: 'shown.h5' }), /unsupported file|not HDF5/, 'shown.h5');
    assert.match(e.message, /^shown\.h5: /);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the error boundary says an internal failure in words and keeps its text for the log', () => {
  const deep = internalError('m.json', new RangeError('Maximum call stack size exceeded'));
  assert.equal(deep.file, 'm.json');
  assert.match(deep.problem, /nested too deeply/);
  assert.doesNotMatch(deep.message, /Maximum call stack|RangeError/);
  assert.match(deep.detail ?? '', /Maximum call stack size exceeded/);
  const big = internalError('m.h5', new RangeError('Invalid typed array length: 4000000000000'));
  assert.match(big.problem, /sizes too large/);
  assert.doesNotMatch(big.message, /typed array/);
  const other = internalError('m.h5', new TypeError("Cannot read properties of null (reading 'class_name')"));
  assert.match(other.problem, /^could not be read: the file is damaged/);
  assert.doesNotMatch(other.message, /Cannot read|TypeError|null/);
  assert.match(other.detail ?? '', /class_name/);
});
