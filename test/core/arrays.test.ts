/**
 * .npy / .npz / JSON sample arrays. Every expected value comes from test/fixtures/arrays/manifest.json,
 * written by scripts/make_array_fixtures.py from what NumPy itself saved and loaded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { fixture } from './paths';
import { InspectorError, NDArray } from '../../src/core/model';
import { loadArrays, parseNpy, parseNpz, writeNpy, arrayFromJson, arrayToNested } from '../../src/core/arrays';

type Value = number | 'nan' | 'inf' | '-inf';
interface NpyEntry {
  file: string;
  dtype: string;
  shape: number[];
  values: Value[];
  byteorder?: string;
  fortran?: boolean;
  version?: string;
}
interface Manifest {
  npy: NpyEntry[];
  npz: { file: string; zipMethods: number[]; members: { name: string; dtype: string; shape: number[]; values: Value[] }[] }[];
  json: { file: string; arrays: { name: string; shape: number[]; values: Value[] }[] }[];
}

const dir = (...p: string[]) => fixture('arrays', ...p);
const manifest: Manifest = JSON.parse(fs.readFileSync(dir('manifest.json'), 'utf8'));
const read = (name: string) => new Uint8Array(fs.readFileSync(dir(name)));

const decode = (v: Value): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : v);

/** Every value identical to NumPy's, including NaN and the sign of zero. */
function assertValues(actual: NDArray, shape: number[], values: Value[], what: string): void {
  assert.deepEqual(actual.shape, shape, `${what}: shape`);
  assert.ok(actual.data instanceof Float64Array, `${what}: Float64Array`);
  assert.equal(actual.data.length, values.length, `${what}: count`);
  values.forEach((v, i) => {
    assert.ok(Object.is(actual.data[i], decode(v)), `${what}[${i}]: got ${actual.data[i]}, NumPy has ${v}`);
  });
}

/** Runs `fn`, expecting an InspectorError for `file` whose problem matches `pattern`. */
function assertProblem(fn: () => unknown, file: string, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InspectorError, `expected InspectorError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.match(e.problem, pattern);
    return true;
  });
}

async function assertProblemAsync(p: Promise<unknown>, file: string, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof InspectorError, `expected InspectorError, got ${String(e)}`);
    assert.equal(e.file, file);
    assert.match(e.problem, pattern);
    return true;
  });
}

test('manifest covers every dtype in both byte orders, Fortran order, 0-d, empty, v2 and v3 headers', () => {
  const dtypes = new Set(manifest.npy.map((e) => `${e.dtype}${e.byteorder ?? ''}`));
  for (const t of ['float16', 'float32', 'float64', 'int16', 'int32', 'int64', 'uint16', 'uint32', 'uint64']) {
    assert.ok(dtypes.has(`${t}<`) && dtypes.has(`${t}>`), t);
  }
  for (const t of ['int8', 'uint8', 'bool']) assert.ok(dtypes.has(`${t}|`), t);
  assert.equal(manifest.npy.filter((e) => e.fortran).length, 3);
  assert.ok(manifest.npy.some((e) => e.shape.length === 0));
  assert.ok(manifest.npy.some((e) => e.shape.includes(0) && e.shape.length === 3));
  assert.deepEqual(manifest.npy.filter((e) => e.version).map((e) => e.version), ['2.0', '3.0']);
});

for (const e of manifest.npy) {
  test(`parseNpy ${e.file} (${e.dtype}${e.fortran ? ', Fortran order' : ''})`, () => {
    const a = parseNpy(read(e.file), e.file);
    assert.equal(a.dtype, e.dtype);
    assertValues(a, e.shape, e.values, e.file);
  });
}

test('parseNpy reads from a view into a larger buffer (byteOffset != 0)', () => {
  const e = manifest.npy.find((x) => x.file === 'float64_be.npy')!;
  const raw = read(e.file);
  const big = new Uint8Array(raw.length + 3);
  big.set(raw, 3);
  assertValues(parseNpy(big.subarray(3)), e.shape, e.values, e.file);
});

test('loadArrays names an .npy array after the file stem', async () => {
  const e = manifest.npy.find((x) => x.file === 'fortran_3d_f4.npy')!;
  const arrays = await loadArrays(dir(e.file));
  assert.equal(arrays.length, 1);
  assert.equal(arrays[0].name, 'fortran_3d_f4');
  assertValues(arrays[0].array, e.shape, e.values, e.file);
});

for (const z of manifest.npz) {
  test(`parseNpz ${z.file}: members in archive order, names without .npy`, async () => {
    const arrays = parseNpz(read(z.file), z.file);
    assert.deepEqual(arrays.map((a) => a.name), z.members.map((m) => m.name));
    z.members.forEach((m, i) => assertValues(arrays[i].array, m.shape, m.values, `${z.file}:${m.name}`));
    const loaded = await loadArrays(dir(z.file));
    assert.deepEqual(loaded.map((a) => a.name), z.members.map((m) => m.name));
  });
}

test('the .npz fixtures cover both stored (np.savez) and deflated (np.savez_compressed) members', () => {
  assert.deepEqual(manifest.npz.map((z) => z.zipMethods), [[0], [8]]);
});

test('unreadable .npy files: an InspectorError naming the file and the problem', () => {
  const cases: [string, RegExp][] = [
    ['truncated.npy', /truncated .*needs 80 bytes .* only 60/],
    ['truncated_header.npy', /truncated .npy file: the header/],
    ['object.npy', /unsupported dtype '\|O'.*Python objects/],
    ['structured.npy', /structured arrays/],
    ['complex.npy', /unsupported dtype '<c16'.*complex/],
    ['unicode.npy', /unsupported dtype '<U3'.*unicode/],
    ['bad_magic.npy', /missing the \\x93NUMPY magic/],
  ];
  for (const [name, pattern] of cases) assertProblem(() => parseNpy(read(name), name), name, pattern);
  assertProblem(() => parseNpy(new Uint8Array(0), 'empty.npy'), 'empty.npy', /magic/);
});

test('unreadable .npz and JSON files: errors name the file', async () => {
  assertProblem(() => parseNpz(read('bad_zip.npz'), 'bad_zip.npz'), 'bad_zip.npz', /not a readable \.npz \(zip\) archive/);
  await assertProblemAsync(loadArrays(dir('bad_zip.npz')), dir('bad_zip.npz'), /zip/);
  await assertProblemAsync(loadArrays(dir('truncated.npy')), dir('truncated.npy'), /truncated/);
  await assertProblemAsync(loadArrays(dir('bad_magic.npy')), dir('bad_magic.npy'), /not a NumPy \.npy\/\.npz file, and not valid JSON/);
  await assertProblemAsync(loadArrays(dir('no_such_file.npy')), dir('no_such_file.npy'), /cannot read the file/);
  await assertProblemAsync(
    loadArrays(dir('ragged.json')),
    dir('ragged.json'),
    /^ragged nested list: "X"\[1\]\[1\] has 2 elements but "X"\[0\]\[0\] has 3$/,
  );
  await assertProblemAsync(loadArrays(dir('not_numbers.json')), dir('not_numbers.json'), /^"X"\[1\]\[1\] is a string, not a number$/);
});

test('an .npz member that is not a numeric array is reported by name', () => {
  // Re-zip NumPy's object.npy as a member of an archive built from NumPy's own .npz.
  const members = unzipSync(read('arrays.npz'));
  members['objs.npy'] = read('object.npy');
  const bytes = zipSync(members, { level: 0 });
  assertProblem(() => parseNpz(bytes, 'mixed.npz'), 'mixed.npz', /^array 'objs': unsupported dtype '\|O'/);
});

for (const j of manifest.json) {
  test(`loadArrays ${j.file}`, async () => {
    const arrays = await loadArrays(dir(j.file));
    assert.deepEqual(arrays.map((a) => a.name), j.arrays.map((a) => a.name));
    j.arrays.forEach((a, i) => assertValues(arrays[i].array, a.shape, a.values, `${j.file}:${a.name}`));
  });
}

test('arrayFromJson: shapes of nested lists, booleans, empty lists; arrayToNested inverts it', () => {
  const cases: [unknown, number[]][] = [
    [1.5, []],
    [[], [0]],
    [[[]], [1, 0]],
    [[1, 2, 3], [3]],
    [[[true, false]], [1, 2]],
    [[[[1], [2]], [[3], [4]], [[5], [6]]], [3, 2, 1]],
  ];
  for (const [value, shape] of cases) {
    const a = arrayFromJson(value, 'x.json');
    assert.deepEqual(a.shape, shape);
    const back = JSON.stringify(value).replace(/true/g, '1').replace(/false/g, '0');
    assert.equal(JSON.stringify(arrayToNested(a)), back);
  }
});

test('arrayFromJson names the first bad row of a ragged list', () => {
  assertProblem(() => arrayFromJson([[1, 2], [3]], 'r.json'), 'r.json', /^ragged nested list: \[1\] has 1 elements but \[0\] has 2$/);
  assertProblem(() => arrayFromJson([[1, 2], 3], 'r.json'), 'r.json', /^ragged nested list: \[1\] is a number but \[0\] is a list of 2$/);
  assertProblem(() => arrayFromJson([1, [2]], 'r.json'), 'r.json', /^ragged nested list: \[1\] is a list but \[0\] is a number$/);
  assertProblem(() => arrayFromJson([[1, null]], 'r.json'), 'r.json', /^\[0\]\[1\] is null, not a number$/);
  assertProblem(() => arrayFromJson('abc', 'r.json'), 'r.json', /^the value is a string, not a number$/);
});

test('arrayToNested is tolist(): a numpy-loaded array gives the same nested list json.dump wrote', () => {
  const arrays = JSON.parse(fs.readFileSync(dir('samples.json'), 'utf8')) as Record<string, unknown>;
  for (const [name, value] of Object.entries(arrays)) {
    assert.deepEqual(arrayToNested(arrayFromJson(value, 'samples.json', name)), value);
  }
});

test('writeNpy writes the same bytes as np.save for float64 and float32 arrays', () => {
  // NumPy's own files: the header format, 64-byte padding and data must match exactly.
  for (const [name, dtype] of [
    ['float64_le.npy', 'float64'],
    ['float32_le.npy', 'float32'],
    ['scalar_0d.npy', 'float64'],
    ['empty_1d.npy', 'float32'],
    ['empty_3d.npy', 'float64'],
    ['rand_seed42_7.npy', 'float64'],
    ['randn_seed0_1x10x3.npy', 'float64'],
  ] as const) {
    const numpyBytes = read(name);
    const written = writeNpy(parseNpy(numpyBytes, name), dtype);
    assert.deepEqual(Buffer.from(written), Buffer.from(numpyBytes), name);
  }
});

test('writeNpy defaults to float32 and round-trips through parseNpy; loadArrays reads the file', async () => {
  const a = { shape: [2, 3], data: new Float64Array([0.1, -2, 3.5, 1e-3, 7, -0]) };
  const back = parseNpy(writeNpy(a));
  assert.equal(back.dtype, 'float32');
  assert.deepEqual(back.shape, [2, 3]);
  assert.deepEqual(Array.from(back.data), Array.from(new Float32Array(a.data)));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-arrays-'));
  try {
    fs.writeFileSync(path.join(tmp, 'X.npy'), writeNpy(a, 'float64'));
    const [x] = await loadArrays(path.join(tmp, 'X.npy'));
    assert.equal(x.name, 'X');
    assert.deepEqual(Array.from(x.array.data), Array.from(a.data));
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  assert.throws(() => writeNpy({ shape: [2, 2], data: new Float64Array(3) }), InspectorError);
});
