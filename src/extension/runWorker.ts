/**
 * Worker thread for forward-pass runs (dist/runWorker.js): random inputs, reading .npy/.npz/JSON,
 * the forward pass and verification all happen here, so the extension host never blocks, and
 * Cancel is immediate (the host terminates the worker). No vscode import.
 */
import { parentPort } from 'node:worker_threads';
import type { Model } from '../core';
import type { RunRequest } from '../shared/messages';
import { runRequest, type FullRun } from './runner';

export interface WorkerJob {
  model: Model;
  request: RunRequest;
  atol: number;
  rtol: number;
}

export type WorkerReply =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; run: FullRun }
  | { type: 'error'; message: string };

const port = parentPort;
if (port) {
  port.once('message', (job: WorkerJob) => {
    const post = (m: WorkerReply, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);
    runRequest({ model: job.model, atol: job.atol, rtol: job.rtol }, job.request, {
      isCancelled: () => false,
      progress: (done, total) => post({ type: 'progress', done, total }),
    }).then(
      (run) => {
        // Hand the big arrays over instead of copying them.
        const buffers = [...run.inputs, ...run.outputs].map((a) => a.data.buffer as ArrayBuffer);
        post({ type: 'done', run }, [...new Set(buffers)]);
      },
      (e: unknown) => post({ type: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
  });
}
