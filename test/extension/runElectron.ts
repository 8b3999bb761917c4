/**
 * `npm run test:electron`: the extension-host suites under a downloaded VS Code (@vscode/test-electron).
 * Needs network access to the VS Code update service; on machines without it use `npm run test:e2e`,
 * which runs the same suites inside code-server's extension host.
 */
import * as os from 'node:os';
import * as path from 'node:path';
import * as fs from 'node:fs';
import { runTests } from '@vscode/test-electron';

async function main(): Promise<void> {
  let root = __dirname;
  while (!fs.existsSync(path.join(root, 'package.json'))) root = path.dirname(root);
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'rnn-inspector-ws-'));
  try {
    await runTests({
      version: process.env.VSCODE_VERSION ?? '1.100.3',
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(__dirname, 'index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
    });
  } catch (e) {
    console.error('extension-host tests failed:', e instanceof Error ? e.message : e);
    process.exit(1);
  }
}

void main();
