/**
 * openModel off the caller's thread, within a time and a memory budget. The file is opened in a
 * worker thread (dist/openWorker.js, or out/src/core/openWorker.js when run from compiled
 * sources); a file that takes longer than the time budget, or makes the process grow by more than
 * the memory budget, is stopped (the worker terminated) with a clear InspectorError naming the
 * file. The Model comes back as plain data, its typed arrays' buffers transferred, not copied.
 *
 * The extension host opens every model through here (a hostile file can no longer freeze the
 * editor), and so does the CLI (the same bound everywhere). Workers are kept between opens
 * (unref'd while idle, so they never keep a process alive) unless a budget stopped them. Without
 * a worker script (bundles that do not ship one) the file is opened in process, unbounded.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { internalError, openModel, type OpenOptions } from './formats';
import { InspectorError, type Model } from './model';

/**
 * How long opening one model may take. The setting rnnInspector.openTimeoutSeconds changes it in
 * VS Code, the environment variable RNN_INSPECTOR_OPEN_TIMEOUT (seconds) for the CLI.
 */
export const OPEN_TIME_BUDGET_MS = 30_000;

/** The default time budget: RNN_INSPECTOR_OPEN_TIMEOUT seconds when set to a positive number, else OPEN_TIME_BUDGET_MS. */
export function openTimeBudgetMs(): number {
  const s = envNumber('RNN_INSPECTOR_OPEN_TIMEOUT');
  return s ? s * 1000 : OPEN_TIME_BUDGET_MS;
}
/**
 * How much the process may grow (resident memory) while a model is opened: typed arrays, wasm
 * heap and JS heap together (RNN_INSPECTOR_OPEN_MEMORY, in MB, changes it).
 */
export const OPEN_MEMORY_BUDGET_MB = 4096;

function envNumber(name: string): number | undefined {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}
/** The worker's JavaScript heap (resourceLimits.maxOldGenerationSizeMb): a runaway parse hits it first. */
export const OPEN_HEAP_BUDGET_MB = 2048;
/** How often the memory budget is checked. */
const MEMORY_POLL_MS = 100;

export interface BoundedOpenOptions extends OpenOptions {
  /** Time budget in ms (default OPEN_TIME_BUDGET_MS; 0 or Infinity: none). */
  timeMs?: number;
  /** Memory budget in MB of process growth (default OPEN_MEMORY_BUDGET_MB). */
  memoryMb?: number;
  /** Cancels the open (the worker is terminated); rejects with an InspectorError "opening was cancelled". */
  signal?: AbortSignal;
  /** The worker script (default: found beside this module). */
  workerScript?: string;
}

/** What the worker posts back. */
export type OpenReply = { ok: true; model: Model } | { ok: false; file: string; problem: string; detail?: string; inspector: boolean };

const SCRIPTS = ['openWorker.js'];

/** The worker script beside this module (dist/ for bundles, out/src/core/ for compiled sources). */
export function findOpenWorker(dir = __dirname): string | undefined {
  for (const s of SCRIPTS) {
    const p = path.join(dir, s);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

const seconds = (ms: number): string => (ms >= 1000 ? `${+(ms / 1000).toFixed(1)} s` : `${ms} ms`);

/** Opens a model in a worker thread within the budgets. Errors are InspectorErrors naming the file. */
/** Workers kept between opens (h5wasm loaded once per worker): a worker is reused only after an open it finished itself. */
const idle: Worker[] = [];
const MAX_IDLE = 2;
let jobs = 0;

function takeWorker(script: string): Worker {
  const w = idle.pop();
  if (w) {
    w.ref();
    return w;
  }
  // Not stdout/stderr: true (piped streams would keep the process alive while the worker idles);
  // the HDF5 library's own diagnostics are captured in the worker itself (formats/h5region.ts).
  return new Worker(script, { resourceLimits: { maxOldGenerationSizeMb: OPEN_HEAP_BUDGET_MB } });
}

function release(w: Worker, script: string): void {
  if (idle.length >= MAX_IDLE || (w as Worker & { script?: string }).script !== script) {
    void w.terminate();
    return;
  }
  w.unref();
  idle.push(w);
}

/** Opens a model in a worker thread within the budgets. Errors are InspectorErrors naming the file. */
export function openModelBounded(file: string, opts: BoundedOpenOptions = {}): Promise<Model> {
  const { timeMs = openTimeBudgetMs(), memoryMb = envNumber('RNN_INSPECTOR_OPEN_MEMORY') ?? OPEN_MEMORY_BUDGET_MB, signal, workerScript, ...open } = opts;
  const display = open.displayName ?? file;
  if (signal?.aborted) return Promise.reject(new InspectorError(display, 'opening was cancelled'));
  const script = workerScript ?? findOpenWorker();
  if (!script) return openModel(file, open);
  let worker: Worker;
  try {
    worker = takeWorker(script);
    (worker as Worker & { script?: string }).script = script;
  } catch {
    return openModel(file, open);
  }
  const id = ++jobs;
  return new Promise<Model>((resolve, reject) => {
    let settled = false;
    const base = process.memoryUsage.rss();
    /** Ends the open; the worker goes back to the pool only when it answered by itself. */
    const finish = (f: () => void, reuse: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearInterval(poll);
      signal?.removeEventListener('abort', onAbort);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (reuse) release(worker, script);
      else void worker.terminate();
      f();
    };
    const fail = (problem: string) => finish(() => reject(new InspectorError(display, problem)), false);
    const timer =
      timeMs > 0 && Number.isFinite(timeMs)
        ? setTimeout(() => fail(`took longer than ${seconds(timeMs)} to open, so it was stopped; the file may be damaged or hostile`), timeMs)
        : undefined;
    const poll = setInterval(() => {
      const grown = (process.memoryUsage.rss() - base) / 1024 / 1024;
      if (grown > memoryMb) fail(`needed more than ${memoryMb} MB of memory to open, so it was stopped; the file may be damaged or hostile`);
    }, MEMORY_POLL_MS);
    poll.unref?.();
    const onAbort = () => fail('opening was cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    const onMessage = (m: { id: number; reply: OpenReply }) => {
      if (m.id !== id) return;
      const r = m.reply;
      if (r.ok) finish(() => resolve(r.model), true);
      // A problem the reader found keeps the worker; after an internal failure (detail set) the
      // worker's state (the HDF5 library's) is not trusted again.
      else if (r.inspector) finish(() => reject(new InspectorError(r.file || display, r.problem, r.detail)), !r.detail);
      else finish(() => reject(internalError(display, Object.assign(new Error(r.problem), { name: 'Error', stack: r.detail ?? r.problem }))), false);
    };
    const onError = (e: Error & { code?: string }) => {
      if (e.code === 'ERR_WORKER_OUT_OF_MEMORY') fail(`needed more than ${OPEN_HEAP_BUDGET_MB} MB of memory to open, so it was stopped; the file may be damaged or hostile`);
      else finish(() => reject(internalError(display, e)), false);
    };
    const onExit = (code: number) => fail(`could not be opened: the reader stopped unexpectedly (exit code ${code}); the file may be damaged`);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ id, file: path.resolve(file), opts: { ...open, displayName: display } });
  });
}

/** Every ArrayBuffer under a value (typed arrays of weights and samples): transferred, not copied. */
export function buffersOf(v: unknown, out = new Set<ArrayBuffer>(), seen = new Set<object>()): Set<ArrayBuffer> {
  const stack: unknown[] = [v];
  while (stack.length) {
    const x = stack.pop();
    if (!x || typeof x !== 'object' || seen.has(x)) continue;
    seen.add(x);
    if (ArrayBuffer.isView(x)) {
      if (x.buffer instanceof ArrayBuffer) out.add(x.buffer);
      continue;
    }
    for (const k of Object.keys(x)) stack.push((x as Record<string, unknown>)[k]);
  }
  return out;
}
