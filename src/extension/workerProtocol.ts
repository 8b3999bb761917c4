/**
 * The messages between the extension host and the forward-pass worker thread (dist/runWorker.js).
 * Its own module so that runner.ts (the host side) and runWorker.ts (the worker side) both import
 * it and never each other. Types only.
 */
import type { Model, NDArray } from '../core';
import type { RunRequest, RunResult } from '../shared/messages';

/**
 * A finished run: what the panel shows, plus what the host keeps for traces and for the pages of
 * per-sample rows (the panel never receives all N rows).
 */
export interface FullRun {
  result: RunResult;
  inputs: NDArray[];
  outputs: NDArray[];
  /** The expected predictions compared with, and per sample: max |Δ| over every output and 1 where outside the tolerance. */
  expected?: NDArray[];
  diffs?: Float64Array;
  fails?: Uint8Array;
  /** Sample indices worst first (only for runs of more than one page with expected predictions). */
  order?: Uint32Array;
}

/** host → worker: one job per worker (the worker is terminated afterwards). */
export type ToWorker = { type: 'run'; model: Model; request: RunRequest; atol: number; rtol: number };

/** worker → host: progress notifications, then one reply to the job (`done` or `error`). */
export type FromWorker =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; run: FullRun }
  | { type: 'error'; message: string };
