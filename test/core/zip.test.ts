/**
 * The .keras zip reader (src/core/formats/zip.ts, kerasV3.readKerasZip): model.weights.h5 read in
 * place (no temp file), a deflated one inflated in memory to the same weights, and every
 * limit a clear error naming the file. Archives are Keras's own fixtures (test/fixtures/keras/),
 * re-packed or patched here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { unzipSync, zipSync } from 'fflate';
import { openModel } from '../../src/core/formats';
import { readKerasZip } from '../../src/core/formats/kerasV3';
import { MAX_ENTRIES } from '../../src/core/formats/zip';
import { fixture } from './paths';

const KERAS = fixture('keras', 'gru', 'model.keras');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-inspector-zip-test-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
const write = (name: string, bytes: Uint8Array): string => {
  const p = path.join(tmp, name);
  fs.writeFileSync(p, bytes);
  return p;
};
const weightsOf = async (f: string) => (await openModel(f)).layers.flatMap((l) => l.weights.map((w) => [w.name, Array.from(w.data ?? [])]));

test('model.weights.h5 is read in place inside the archive, with no temporary file', async () => {
  const z = readKerasZip(KERAS);
  try {
    assert.match(z.weightsFile ?? '', /^\/rnn-inspector-region\/\d+\/model\.weights\.h5$/);
    assert.ok(!fs.existsSync(z.weightsFile!), 'a virtual path, not a file on disk');
  } finally {
    z.cleanup();
  }
  const w = await weightsOf(KERAS);
  assert.ok(w.length >= 3 && w.every(([, d]) => (d as number[]).length > 0));
});

test('an archive that deflated model.weights.h5 gives the same weights (inflated in memory, no temporary file)', async () => {
  const entries = unzipSync(fs.readFileSync(KERAS));
  const deflated = write('deflated.keras', zipSync(entries, { level: 6 }));
  const z = readKerasZip(deflated);
  try {
    assert.match(z.weightsFile ?? '', /^\/rnn-inspector-region\/\d+\/model\.weights\.h5$/);
    assert.ok(!fs.existsSync(z.weightsFile!), 'a virtual path served from memory, not a file on disk');
  } finally {
    z.cleanup();
  }
  assert.deepEqual(await weightsOf(deflated), await weightsOf(KERAS));
});

/** Offset of the central directory entry for `name` in a zip's bytes. */
function centralEntry(b: Buffer, name: string): number {
  for (let i = b.length - 22; i >= 0; i--) {
    if (b.readUInt32LE(i) === 0x02014b50 && b.toString('utf8', i + 46, i + 46 + b.readUInt16LE(i + 28)) === name) return i;
  }
  throw new Error(`no central entry ${name}`);
}

test('a truncated archive is a clear error naming the file', async () => {
  const b = fs.readFileSync(KERAS);
  const f = write('truncated.keras', b.subarray(0, Math.floor(b.length / 2)));
  await assert.rejects(openModel(f), (e: Error) => e.message.startsWith(f) && /truncated|not a zip/.test(e.message));
});

test('an entry declaring more bytes than the file holds is refused', async () => {
  const b = Buffer.from(fs.readFileSync(KERAS));
  const at = centralEntry(b, 'model.weights.h5');
  b.writeUInt32LE(0x7fffffff, at + 20);
  b.writeUInt32LE(0x7fffffff, at + 24);
  const f = write('oversized.keras', b);
  await assert.rejects(openModel(f), (e: Error) => e.message.startsWith(f) && /model\.weights\.h5 declares .* beyond the end of the file/.test(e.message));
});

test('a compression ratio above the limit is refused as a possible zip bomb', async () => {
  const entries = unzipSync(fs.readFileSync(KERAS));
  const b = Buffer.from(zipSync(entries, { level: 9 }));
  const at = centralEntry(b, 'config.json');
  b.writeUInt32LE(0xfffffff0, at + 24); // declared uncompressed size: ~4 GB from a few hundred bytes
  const f = write('bomb.keras', b);
  await assert.rejects(openModel(f), (e: Error) => e.message.startsWith(f) && /config\.json declares .* ratio above 1000:1.*zip bomb/.test(e.message));
});

test('a config.json whose content does not match its CRC is refused', async () => {
  const b = Buffer.from(fs.readFileSync(KERAS));
  const at = centralEntry(b, 'config.json');
  b.writeUInt32LE((b.readUInt32LE(at + 16) ^ 1) >>> 0, at + 16);
  const f = write('badcrc.keras', b);
  await assert.rejects(openModel(f), (e: Error) => e.message.startsWith(f) && /config\.json does not match its declared size and CRC-32/.test(e.message));
});

test(`more than ${MAX_ENTRIES} entries is refused`, async () => {
  const entries: Record<string, Uint8Array> = unzipSync(fs.readFileSync(KERAS));
  for (let i = 0; i <= MAX_ENTRIES; i++) entries[`assets/${i}`] = new Uint8Array(0);
  const f = write('many.keras', zipSync(entries, { level: 0 }));
  await assert.rejects(openModel(f), (e: Error) => e.message.startsWith(f) && new RegExp(`lists ${MAX_ENTRIES + 4} entries`).test(e.message));
});
