/**
 * Issue 11, the panel: a run over tens of thousands of samples stays in the host (the panel gets
 * the verdict and one page of rows, worst first, and asks for the others), and heatmaps of large
 * tensors are downsampled in the host to block means. Plain Node: runner.ts and view.ts have no
 * vscode import. The inputs and predictions are Keras's (seed_n15's X.npy / Y.npy, repeated),
 * with known samples of Y pushed off by known amounts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadArrays, openModel, type NDArray } from '../../src/core';
import { rowsPage, runInWorker, runRequest, shareWeightValues } from '../../src/extension/runner';
import { matrixView, MAX_COLS, MAX_ROWS, weightMatrix } from '../../src/extension/view';
import { ROW_LIMIT } from '../../src/shared/messages';
import { fixture } from './paths';

function writeNpy(file: string, a: NDArray): void {
  let header = `{'descr': '<f8', 'fortran_order': False, 'shape': (${a.shape.join(', ')}${a.shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(10);
  head[0] = 0x93;
  head.write('NUMPY', 1, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  fs.writeFileSync(file, Buffer.concat([head, Buffer.from(header, 'latin1'), Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength)]));
}

const tile = (a: NDArray, times: number): NDArray => {
  const data = new Float64Array(a.data.length * times);
  for (let i = 0; i < times; i++) data.set(a.data, i * a.data.length);
  return { shape: [a.shape[0] * times, ...a.shape.slice(1)], data };
};

test('a run of 30,000 samples: the panel gets one page, worst first; the other pages come from the host', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-pages-'));
  try {
    const src = fixture('keras', 'seed_n15');
    const X = (await loadArrays(path.join(src, 'X.npy')))[0].array;
    const Y = (await loadArrays(path.join(src, 'Y.npy')))[0].array;
    const times = 2000;
    const x = tile(X, times);
    const y = tile(Y, times);
    const N = x.shape[0];
    const K = Y.shape[1];
    // Known mistakes: sample 29,001 off by 0.5, sample 7 by 0.25, sample 12,345 by 0.125 (all far
    // outside the tolerance), so the worst-first order starts 29001, 7, 12345.
    const off: [number, number][] = [[29_001, 0.5], [7, 0.25], [12_345, 0.125]];
    for (const [s, d] of off) y.data[s * K] += d;
    writeNpy(path.join(dir, 'X.npy'), x);
    writeNpy(path.join(dir, 'Y.npy'), y);
    const model = await openModel(path.join(src, 'model.h5'));
    const run = await runRequest(
      { model, atol: 1e-5, rtol: 1e-4 },
      { inputs: { kind: 'file', path: path.join(dir, 'X.npy'), label: 'X.npy' }, expected: { kind: 'file', path: path.join(dir, 'Y.npy'), label: 'Y.npy' }, seed: 0, samples: 1, timesteps: 10, traceSample: 0 },
      { isCancelled: () => false },
    );
    const r = run.result;
    assert.equal(r.samples, N);
    assert.equal(r.rowsTruncated, true);
    assert.equal(r.rowOrder, 'worst');
    assert.equal(r.failingSamples, off.length);
    assert.equal(r.verify?.pass, false);
    // What goes to the panel: one page, a few kilobytes, not N rows.
    assert.equal(r.rows.length, ROW_LIMIT);
    assert.ok(JSON.stringify(r).length < 64 * 1024, `${JSON.stringify(r).length} bytes`);
    assert.deepEqual(r.rows.slice(0, 3).map((row) => row.sample), off.map(([s]) => s));
    for (const [j, [s, d]] of off.entries()) {
      const row = r.rows[j];
      assert.equal(row.pass, false);
      assert.ok(Math.abs((row.maxAbsDiff ?? 0) - d) < 1e-4, `sample ${s}: max |Δ| ${row.maxAbsDiff} ≈ ${d}`);
      assert.equal(row.expected?.[0], y.data[s * K]);
    }
    // After the failing ones, passing samples by max |Δ| descending.
    const rest = r.rows.slice(3).map((row) => row.maxAbsDiff ?? NaN);
    assert.ok(r.rows.slice(3).every((row) => row.pass));
    for (let i = 1; i < rest.length; i++) assert.ok(rest[i] <= rest[i - 1], `descending at ${i}`);
    // Page 2 worst first continues page 1; the last page is short; every sample appears once.
    const seen = new Set<number>();
    for (let offset = 0; offset < N; offset += ROW_LIMIT) {
      const p = rowsPage(run, 'worst', offset);
      assert.equal(p.offset, offset);
      assert.equal(p.total, N);
      assert.equal(p.rows.length, Math.min(ROW_LIMIT, N - offset));
      for (const row of p.rows) seen.add(row.sample);
    }
    assert.equal(seen.size, N);
    assert.deepEqual(rowsPage(run, 'worst', 0).rows, r.rows);
    // By sample: rows offset … offset + 49, the manual values the outputs' own.
    const p = rowsPage(run, 'index', 12_300);
    assert.deepEqual(p.rows.map((row) => row.sample), Array.from({ length: ROW_LIMIT }, (_, i) => 12_300 + i));
    const hit = p.rows.find((row) => row.sample === 12_345)!;
    assert.equal(hit.pass, false);
    assert.deepEqual(hit.manual, Array.from(run.outputs[0].data.slice(12_345 * K, 12_346 * K)));
    // Out of range offsets are clamped, never an empty or a wrong page.
    assert.equal(rowsPage(run, 'index', -5).offset, 0);
    assert.equal(rowsPage(run, 'index', N + 10).rows.at(-1)?.sample, N - 1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a small run is sent whole, in sample order', async () => {
  const src = fixture('keras', 'seed_n15');
  const model = await openModel(path.join(src, 'model.h5'));
  const run = await runRequest(
    { model, atol: 1e-5, rtol: 1e-4 },
    { inputs: { kind: 'file', path: path.join(src, 'X.npy'), label: 'X.npy' }, expected: { kind: 'file', path: path.join(src, 'Y.npy'), label: 'Y.npy' }, seed: 0, samples: 1, timesteps: 10, traceSample: 0 },
    { isCancelled: () => false },
  );
  assert.equal(run.result.rowsTruncated, false);
  assert.equal(run.result.rowOrder, 'index');
  assert.equal(run.result.failingSamples, 0);
  assert.deepEqual(run.result.rows.map((r) => r.sample), Array.from({ length: 15 }, (_, i) => i));
});

test('heatmaps of large tensors: block means computed in the host, true shape and block size kept', () => {
  const rows = 1000;
  const cols = 1030;
  const data = new Float64Array(rows * cols);
  for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 0.37) + (i % 7) * 0.01;
  const m = matrixView(data, rows, cols, 'V', 'E');
  assert.ok(m.rows <= MAX_ROWS && m.cols <= MAX_COLS);
  assert.equal(m.fullRows, rows);
  assert.equal(m.fullCols, cols);
  // ceil(1000 / 256) = 4 rows and ceil(1030 / 512) = 3 columns per cell.
  assert.equal(m.rowBlock, 4);
  assert.equal(m.colBlock, 3);
  assert.equal(m.rows, 250);
  assert.equal(m.cols, 344);
  const mean = (r0: number, r1: number, c0: number, c1: number): number => {
    let s = 0;
    for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) s += data[r * cols + c];
    return s / ((r1 - r0) * (c1 - c0));
  };
  assert.ok(Math.abs(m.values[0] - mean(0, 4, 0, 3)) < 1e-12);
  assert.ok(Math.abs(m.values[17 * m.cols + 100] - mean(68, 72, 300, 303)) < 1e-12);
  // The last column block is the one column left over (1030 = 343·3 + 1).
  assert.ok(Math.abs(m.values[m.cols - 1] - mean(0, 4, 1029, 1030)) < 1e-12);
  // A matrix that fits is drawn value by value.
  const small = matrixView(data.subarray(0, 12), 3, 4, 'a', 'b');
  assert.deepEqual(small.values, Array.from(data.subarray(0, 12)));
  assert.equal(small.rowBlock, undefined);
  assert.equal(small.colBlock, undefined);
});

test('an LSTM kernel wider than the panel: each gate downsampled on its own, no cell mixes two gates', () => {
  // D = 3, M = 129: 4M = 516 columns; gate g holds the value g everywhere.
  const D = 3;
  const M = 129;
  const data = new Float64Array(D * 4 * M);
  for (let r = 0; r < D; r++) for (let c = 0; c < 4 * M; c++) data[r * 4 * M + c] = Math.floor(c / M);
  const blocks = ['i', 'f', 'c', 'o'].map((gate, g) => ({ gate, columns: [g * M, (g + 1) * M] as [number, number] }));
  const m = weightMatrix({ name: 'kernel', role: 'kernel', shape: [D, 4 * M], dtype: 'float64', trainable: true, data }, 'D×4M', blocks)!;
  assert.ok(m.cols <= MAX_COLS);
  assert.equal(m.fullCols, 4 * M);
  assert.ok(m.colStarts && m.colStarts.length === m.cols);
  for (let c = 0; c < m.cols; c++) {
    const g = Math.floor(m.colStarts[c] / M);
    assert.equal(m.values[c], g, `column ${c} (from ${m.colStarts[c]}) holds only gate ${g}`);
  }
  for (const b of blocks) assert.ok(m.colStarts.includes(b.columns[0]), `a drawn column starts at gate ${b.gate}`);
});

test('weight values shared with the run worker (SharedArrayBuffer), not copied: the same outputs', async () => {
  const src = fixture('keras', 'bidir_concat');
  const model = await openModel(path.join(src, 'model.h5'));
  const request = { inputs: { kind: 'file' as const, path: path.join(src, 'X.npy'), label: 'X.npy' }, expected: { kind: 'file' as const, path: path.join(src, 'Y.npy'), label: 'Y.npy' }, seed: 0, samples: 1, timesteps: 10, traceSample: 0 };
  const hooks = { isCancelled: () => false, onCancel: () => undefined };
  const before = await runInWorker({ model, atol: 1e-5, rtol: 1e-4 }, request, hooks);
  const arrays = new Set(model.layers.flatMap((l) => l.weights.map((w) => w.data)));
  const bytes = shareWeightValues(model);
  // Each distinct array moved once (the Bidirectional lists its halves' arrays again).
  assert.equal(bytes, [...arrays].reduce((a, d) => a + (d?.byteLength ?? 0), 0));
  for (const l of model.layers) for (const w of l.weights) assert.ok(w.data?.buffer instanceof SharedArrayBuffer, w.name);
  assert.equal(shareWeightValues(model), 0, 'a second call moves nothing');
  const after = await runInWorker({ model, atol: 1e-5, rtol: 1e-4 }, request, hooks);
  assert.equal(after.result.verify?.pass, true);
  assert.deepEqual(Array.from(after.outputs[0].data), Array.from(before.outputs[0].data));
});
