/**
 * Worker thread for forward-pass runs (dist/runWorker.js): random inputs, reading .npy/.npz/JSON,
 * the forward pass and verification all happen here, so the extension host never blocks, and
 * Cancel is immediate (the host terminates the worker). No vscode import.
 */
import { parentPort } from 'node:worker_threads';
import { MessageChannelEnd, type Envelope } from '../shared/rpc';
import { runRequest } from './runner';
import type { FromWorker, ToWorker } from './workerProtocol';

const port = parentPort;
if (port) {
  const channel = new MessageChannelEnd<FromWorker, ToWorker>((m, transfer) => port.postMessage(m, transfer ?? []));
  port.on('message', (m: ToWorker & Envelope) => channel.receive(m));
  channel.onMessage((job) => {
    if (job.type !== 'run') return;
    runRequest({ model: job.model, atol: job.atol, rtol: job.rtol }, job.request, {
      isCancelled: () => false,
      progress: (done, total) => channel.send({ type: 'progress', done, total }),
    }).then(
      (run) => {
        // Hand the big arrays over instead of copying them.
        const buffers = [...run.inputs, ...run.outputs, ...(run.expected ?? [])].map((a) => a.data.buffer as ArrayBuffer);
        for (const a of [run.diffs, run.fails, run.order]) if (a) buffers.push(a.buffer as ArrayBuffer);
        channel.reply(job, { type: 'done', run }, [...new Set(buffers)]);
      },
      (e: unknown) => channel.reply(job, { type: 'error', message: e instanceof Error ? e.message : String(e) }),
    );
  });
}
