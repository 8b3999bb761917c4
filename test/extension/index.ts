/**
 * Entry of the extension-host suites: VS Code (or code-server) loads this file inside its real
 * extension host and calls run(). Used by @vscode/test-electron (runElectron.ts) and by the
 * code-server payload URL in test/e2e/e2e.test.mjs.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000, reporter: 'spec' });
  for (const f of fs.readdirSync(__dirname).filter((n) => n.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    mocha.run((failures) => {
      if (failures) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
  });
}
