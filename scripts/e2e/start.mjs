// The body of `npm start` (see scripts/start.sh).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT, packageVsix, startCodeServer, log } from './lib.mjs';

const port = Number(process.env.PORT || 8123);
const workspace = path.resolve(process.argv[2] || path.join(ROOT, 'examples'));
if (!fs.existsSync(workspace)) {
  console.error(`No workspace at ${workspace}. Pass a folder: npm start -- /path/to/models`);
  process.exit(1);
}
packageVsix();
const server = await startCodeServer({ runDir: path.join(ROOT, '.e2e', 'start'), workspace, port });
log(`code-server ${server.pid} is up with RNN Inspector installed.`);
console.log(`\n  Open ${server.url}\n  (workspace: ${workspace}; logs: .e2e/start/code-server.log; Ctrl-C to stop)\n`);
const stop = () => {
  server.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
setInterval(() => {}, 1 << 30);
