/**
 * Runs command lines with a hard time limit and a memory limit: in a pool process (child.ts,
 * main() in process) or as `node dist/cli.js` (spawned). A run over its time is killed (hang), a
 * process over MEMORY_LIMIT_MB resident is killed (memory), a process that dies is a crash.
 */
import { fork, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Job, JobResult } from './child';
import type { RunOutcome } from './classify';

/** A run may take this long (the issue: every input ends within a bound). */
export const RUN_TIMEOUT_MS = 20_000;
/** A process with more resident memory than this is stopped and counted as unbounded memory. */
export const MEMORY_LIMIT_MB = 3072;
/**
 * The program's own budgets for opening a model, lowered for the harness so that the budget, not
 * the harness, stops a hostile file (its message is then counted as a hang or as memory).
 */
export const FUZZ_ENV = { RNN_INSPECTOR_OPEN_TIMEOUT: '10', RNN_INSPECTOR_OPEN_MEMORY: '2048' };
const POLL_MS = 50;

function status(pid: number | undefined): { rss: number; hwm: number } {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: Number(/VmRSS:\s+(\d+)/.exec(s)?.[1] ?? 0), hwm: Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0) };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** Watches a process: kills it when it goes over the time or memory limit. */
function watch(p: ChildProcess, timeoutMs: number, onKill: (why: 'time' | 'memory', peakKB: number) => void): () => number {
  let peak = 0;
  const t0 = Date.now();
  const timer = setInterval(() => {
    const s = status(p.pid);
    peak = Math.max(peak, s.hwm, s.rss);
    if (s.rss > MEMORY_LIMIT_MB * 1024) {
      clearInterval(timer);
      p.kill('SIGKILL');
      onKill('memory', peak);
    } else if (Date.now() - t0 > timeoutMs) {
      clearInterval(timer);
      p.kill('SIGKILL');
      onKill('time', peak);
    }
  }, POLL_MS);
  return () => {
    clearInterval(timer);
    return peak;
  };
}

/** One pool process; restarted after a crash, a hang or a memory kill. */
export class Lane {
  private proc?: ChildProcess;
  private ready?: Promise<void>;
  private seq = 0;
  constructor(private readonly script: string, private readonly timeoutMs = RUN_TIMEOUT_MS) {}

  private start(): Promise<void> {
    const p = fork(this.script, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], execArgv: ['--max-old-space-size=4096'], env: { ...process.env, ...FUZZ_ENV } });
    p.stderr?.resume();
    this.proc = p;
    return (this.ready = new Promise((resolve, reject) => {
      const onMsg = (m: { ready?: boolean }) => {
        if (m.ready) {
          p.off('message', onMsg);
          resolve();
        }
      };
      p.on('message', onMsg);
      p.once('exit', (code) => reject(new Error(`fuzz pool process exited at start (${code})`)));
    }));
  }

  async run(argv: string[]): Promise<RunOutcome> {
    if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) await this.start();
    else await this.ready;
    const p = this.proc!;
    const id = ++this.seq;
    const t0 = Date.now();
    return new Promise<RunOutcome>((resolve) => {
      let done = false;
      const finish = (o: RunOutcome) => {
        if (done) return;
        done = true;
        p.off('message', onMsg);
        p.off('exit', onExit);
        resolve(o);
      };
      const stop = watch(p, this.timeoutMs, (why, peakKB) => {
        this.proc = undefined;
        finish({ argv, code: null, stdout: '', stderr: '', ms: Date.now() - t0, peakKB, ...(why === 'time' ? { timedOut: true } : { memory: true }) });
      });
      const onMsg = (r: JobResult) => {
        if (r.id !== id) return;
        stop();
        finish({ argv, code: r.code, stdout: r.stdout, stderr: r.stderr, error: r.error, crash: r.crash, ms: r.ms, peakKB: r.peakKB });
      };
      const onExit = (code: number | null, signal: string | null) => {
        const peakKB = stop();
        this.proc = undefined;
        finish({ argv, code, signal, crash: `the process died (exit ${code}, signal ${signal})`, stdout: '', stderr: '', ms: Date.now() - t0, peakKB });
      };
      p.on('message', onMsg);
      p.on('exit', onExit);
      p.send({ id, argv } satisfies Job);
    });
  }

  close(): void {
    this.proc?.kill('SIGKILL');
    this.proc = undefined;
  }
}

/** `node dist/cli.js argv…` as a user runs it, in the model's folder. */
export function spawnCli(cli: string, argv: string[], cwd: string, timeoutMs = RUN_TIMEOUT_MS): Promise<RunOutcome> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [cli, ...argv], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...FUZZ_ENV, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    p.stdout!.on('data', (c: Buffer) => void (stdout.length < 65536 && (stdout += c.toString('utf8'))));
    p.stderr!.on('data', (c: Buffer) => void (stderr.length < 65536 && (stderr += c.toString('utf8'))));
    let killed: 'time' | 'memory' | undefined;
    const stop = watch(p, timeoutMs, (why) => (killed = why));
    p.on('close', (code, signal) => {
      const peakKB = stop();
      resolve({
        argv,
        code: killed ? null : code,
        signal: killed ? null : signal,
        ...(killed === 'time' ? { timedOut: true } : killed === 'memory' ? { memory: true } : {}),
        stdout,
        stderr,
        spawned: true,
        ms: Date.now() - t0,
        peakKB,
      });
    });
  });
}

export const childScript = path.join(__dirname, 'child.js');
