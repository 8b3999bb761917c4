// Configuration for @vscode/test-cli (`npx vscode-test`), equivalent to `npm run test:electron`:
// runs the mocha TDD suites of test/extension inside a downloaded VS Code's extension host.
// On machines that cannot download VS Code, `npm run test:e2e` runs the same suites in code-server.
export default {
  version: '1.100.3',
  files: 'out/test/extension/**/*.test.js',
  launchArgs: ['--disable-extensions', '--disable-workspace-trust'],
  mocha: { ui: 'tdd', timeout: 60000 },
};
