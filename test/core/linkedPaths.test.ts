/**
 * A model opened through a symlink or a relative path is the model itself: HDF5 opens it by its
 * resolved path, so the read guard (no file but the model's own) does not refuse it, and a
 * `.keras` archive's in-place model.weights.h5 is read from the archive the link points to.
 * Before, a symlinked `.keras` read as "damaged or truncated" and a relative `.h5` as "refers to
 * another file" (VS Code opens a symlinked file by the link's path).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openModel, summarize } from '../../src/core';
import { fixture } from './paths';

for (const name of ['model.h5', 'model.keras', 'model.weights.h5']) {
  test(`seed_n15/${name} through a symlink and a relative path: the same model, with its weights`, async () => {
    const real = fixture('keras', 'seed_n15', name);
    const want = summarize(await openModel(real)).totalParams;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-link-'));
    try {
      const link = path.join(dir, name);
      fs.symlinkSync(real, link);
      const viaLink = await openModel(link);
      assert.equal(summarize(viaLink).totalParams, want);
      assert.ok(viaLink.layers.some((l) => l.weights.length && l.weights.every((w) => w.data && w.data.length)));
      const rel = path.relative(process.cwd(), real);
      assert.ok(!path.isAbsolute(rel));
      assert.equal(summarize(await openModel(rel, { weights: false })).totalParams, want);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
