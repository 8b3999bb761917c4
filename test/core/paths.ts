import * as path from 'node:path';
import * as fs from 'node:fs';

/** Repository root, from either the TypeScript source or its compiled copy under out/. */
export const ROOT = (() => {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) dir = path.dirname(dir);
  return dir;
})();

/** A file under test/fixtures/. */
export const fixture = (...parts: string[]): string => path.join(ROOT, 'test', 'fixtures', ...parts);

/** The shared corpus of real public model files (../shared/corpus beside the checkout). */
export const CORPUS_DIR = path.resolve(ROOT, '..', 'shared', 'corpus');
export const corpusFile = (name: string): string => path.join(CORPUS_DIR, 'files', name);
