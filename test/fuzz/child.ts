/**
 * A pool process of the fuzz harness: runs command lines through the CLI's own main() (the same
 * code path as dist/cli.js, without a process start per input), one at a time, and reports exit
 * code, output, the error thrown, what was printed to stderr meanwhile and the peak RSS of the
 * run (VmHWM, reset before each run through /proc/self/clear_refs). A crash kills this process;
 * the parent notices, counts it and starts another.
 */
import * as fs from 'node:fs';
import { main } from '../../src/cli/main';
import { InspectorError } from '../../src/core';

export interface Job {
  id: number;
  argv: string[];
}
export interface JobResult {
  id: number;
  code: number;
  stdout: string;
  stderr: string;
  error?: { name: string; message: string; inspector: boolean; file?: string };
  ms: number;
  peakKB: number;
  crash?: string;
}

const LIMIT = 64 * 1024;
let out = '';
let err = '';
let current: Job | undefined;
const cap = (s: string, add: string) => (s.length < LIMIT ? s + add.slice(0, LIMIT - s.length) : s);

const hwm = (): number => Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0);
const resetHwm = (): void => {
  try {
    fs.writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    /* not Linux: peaks are then cumulative */
  }
};

// Everything printed while a run is under way belongs to it.
const wrap = (which: 'out' | 'err') => ((chunk: unknown): boolean => {
  const s = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
  if (which === 'out') out = cap(out, s);
  else err = cap(err, s);
  return true;
}) as typeof process.stdout.write;
process.stdout.write = wrap('out');
process.stderr.write = wrap('err');
for (const k of ['log', 'info'] as const) console[k] = (...a: unknown[]) => void (out = cap(out, a.map(String).join(' ') + '\n'));
for (const k of ['warn', 'error', 'debug'] as const) console[k] = (...a: unknown[]) => void (err = cap(err, a.map(String).join(' ') + '\n'));

function send(r: JobResult): void {
  process.send!(r);
}

function die(kind: string, e: unknown): void {
  const msg = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
  if (current) send({ id: current.id, code: -1, stdout: out, stderr: err, ms: 0, peakKB: hwm(), crash: `${kind}: ${msg.slice(0, 2000)}` });
  process.exit(70);
}
process.on('uncaughtException', (e) => die('uncaught exception', e));
process.on('unhandledRejection', (e) => die('unhandled rejection', e));

process.on('message', async (job: Job) => {
  current = job;
  out = '';
  err = '';
  resetHwm();
  const t0 = performance.now();
  let code: number;
  let error: JobResult['error'];
  try {
    code = await main(job.argv, (t) => void (out = cap(out, t + '\n')));
  } catch (e) {
    code = 2;
    const inspector = e instanceof InspectorError;
    error = {
      name: e instanceof Error ? (e.constructor?.name ?? e.name) : typeof e,
      message: e instanceof Error ? e.message : String(e),
      inspector,
      ...(inspector ? { file: (e as InspectorError).file } : {}),
    };
  }
  const r: JobResult = { id: job.id, code, stdout: out, stderr: err, ...(error ? { error } : {}), ms: performance.now() - t0, peakKB: hwm() };
  current = undefined;
  send(r);
});
process.send!({ ready: true });
