/**
 * The worker thread of openModelBounded (bounded.ts): opens the models it is sent, one at a time,
 * and posts each back, its typed arrays' buffers transferred. Built as dist/openWorker.js (scripts/build.mjs) and compiled to
 * out/src/core/openWorker.js for tests. No vscode import.
 */
import { parentPort } from 'node:worker_threads';
import { openModel, type OpenOptions } from './formats';
import { InspectorError } from './model';
import { buffersOf, type OpenReply } from './bounded';

const port = parentPort;
if (port) {
  port.on('message', ({ id, file, opts }: { id: number; file: string; opts: OpenOptions }) => {
    openModel(file, opts).then(
      (model) => {
        const reply: OpenReply = { ok: true, model };
        try {
          port.postMessage({ id, reply }, [...buffersOf(model)]);
        } catch {
          // A buffer that cannot be moved (Node's pooled Buffers): copied instead.
          port.postMessage({ id, reply });
        }
      },
      (e: unknown) => {
        const inspector = e instanceof InspectorError;
        const reply: OpenReply = inspector
          ? { ok: false, inspector, file: e.file, problem: e.problem, ...(e.detail ? { detail: e.detail } : {}) }
          : { ok: false, inspector, file: '', problem: e instanceof Error ? `${e.name}: ${e.message}` : String(e), ...(e instanceof Error && e.stack ? { detail: e.stack } : {}) };
        port.postMessage({ id, reply });
      },
    );
  });
}
