/**
 * How an outcome is judged. A clean error is one InspectorError (exit 2) whose one-line message
 * names the user's file and says the problem in words: no raw JavaScript or HDF5 library text.
 */
export type Cls = 'ok' | 'clean' | 'unclear' | 'silent' | 'regression' | 'crash' | 'hang' | 'memory' | 'outside' | 'wrote';
export const FAILING: Cls[] = ['unclear', 'silent', 'regression', 'crash', 'hang', 'memory', 'outside', 'wrote'];
/** Worst first: an input's class is the worst of its runs and checks. */
export const SEVERITY: Cls[] = ['outside', 'wrote', 'crash', 'memory', 'hang', 'unclear', 'silent', 'regression', 'clean', 'ok'];

/** Texts that are the runtime's or a library's words, not the user's. */
export const RAW: RegExp[] = [
  /Cannot read propert/i,
  /Cannot (set|convert|destructure|access)\b/i,
  /is not a function/,
  /is not iterable/,
  /is not defined/,
  /is not a constructor/,
  /Invalid typed array length/,
  /Invalid array length/,
  /Array buffer allocation failed/,
  /Maximum call stack/,
  /out of memory/i,
  /offset is out of bounds/,
  /\b(ENOENT|EISDIR|ENOTDIR|EACCES|EPERM|ENXIO|ESPIPE|EINVAL|EMFILE|ENAMETOOLONG|ELOOP|EAGAIN|EBADF|ENOSPC|EFBIG)\b/,
  /\b(TypeError|RangeError|ReferenceError|InternalError|AggregateError)\b/,
  /Aborted\(/,
  /HDF5-DIAG/,
  /\bH5[A-Z][A-Za-z_]*\(\)/,
  /\n\s+at /,
  /\bat .*\.(js|ts):\d+/,
  /\[object Object\]/,
  /\bundefined\b/,
  /\bnull \(reading/,
];

/** C0 controls other than tab and newline, DEL and CSI: a file could drive the terminal with them. */
export const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f\u009b]/;

const alnum = (s: string) => s.replace(/[^A-Za-z0-9]/g, '');

/** The files a command line names (the model, --inputs, --expected, --config, --targets, --out). */
export function namedFiles(argv: string[]): string[] {
  const files: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      if (['--inputs', '--expected', '--config', '--targets', '--out'].includes(a) && argv[i + 1] !== undefined) files.push(argv[++i]);
      else if (['--samples', '--seed', '--atol', '--rtol', '--columns', '--line-length', '--precision', '--hard-sigmoid', '--loss'].includes(a)) i++;
    } else files.push(a);
  }
  return files.filter(Boolean);
}

/** Does the message name one of the files (its path or file name; control characters may be escaped)? */
export function namesAFile(message: string, files: string[]): boolean {
  if (!files.length) return true; // `summary ""`: there is no name to give
  // Control characters may be shown escaped (\x1b, \u001b, ␛, ^[) and a very long name cut short.
  const m = alnum(message.replace(/\\x[0-9a-f]{2}|\\u[0-9a-f]{4}|\\e|␛|\^\[/gi, ''));
  return files.some((f) => {
    const base = (f.split('/').filter(Boolean).pop() ?? f).replace(/[\u0000-\u001f\u007f-\u009f]/g, '');
    const key = alnum(base).slice(0, 40);
    return message.includes(f) || (key.length > 0 && m.includes(key));
  });
}

export interface RunOutcome {
  argv: string[];
  code: number | null;
  signal?: string | null;
  timedOut?: boolean;
  memory?: boolean;
  crash?: string;
  stdout: string;
  stderr: string;
  /** In-process runs: the error main() threw. Spawned runs: undefined (stderr is the message). */
  error?: { name: string; message: string; inspector: boolean };
  spawned?: boolean;
  ms: number;
  peakKB: number;
}

export interface Verdict {
  cls: Cls;
  why: string;
  message?: string;
}

/** One run: what kind of outcome it was. */
export function judgeRun(r: RunOutcome, opts: { usage?: boolean }): Verdict {
  if (r.timedOut) return { cls: 'hang', why: `no answer within the time limit (${(r.ms / 1000).toFixed(0)} s)` };
  if (r.memory) return { cls: 'memory', why: `killed at ${(r.peakKB / 1024).toFixed(0)} MB resident` };
  if (r.crash) return { cls: 'crash', why: r.crash.split('\n')[0], message: r.crash };
  if (r.signal) return { cls: 'crash', why: `killed by ${r.signal}` };
  if (r.code !== 0 && r.code !== 1 && r.code !== 2) return { cls: 'crash', why: `exit code ${r.code}` };
  const printed = `${r.stdout}\n${r.stderr}`;
  if (CONTROL.test(printed)) {
    const at = printed.search(CONTROL);
    return { cls: 'unclear', why: `control characters printed: ${JSON.stringify(printed.slice(Math.max(0, at - 30), at + 10))}` };
  }
  if (r.code === 0 || r.code === 1) {
    const raw = RAW.find((p) => p.test(r.stderr));
    if (raw) return { cls: 'unclear', why: `a result, but stderr has ${raw}: ${r.stderr.trim().split('\n')[0].slice(0, 200)}` };
    return { cls: 'ok', why: `exit ${r.code}` };
  }
  // Exit 2: an error. In-process runs: the thrown error; spawned runs: stderr.
  const message = r.spawned ? r.stderr.trim() : (r.error?.message ?? '');
  const extra = r.spawned ? '' : r.stderr.trim();
  if (!r.spawned && r.error && !r.error.inspector && !(opts.usage && r.error.name === 'UsageError')) {
    return { cls: 'unclear', why: `not an InspectorError (${r.error.name})`, message };
  }
  if (!message && r.spawned && opts.usage && /^Usage:/.test(r.stdout)) return { cls: 'clean', why: 'usage printed' };
  if (!message) return { cls: 'unclear', why: 'exit 2 with no message' };
  if (message.includes('\n')) return { cls: 'unclear', why: 'more than one line', message };
  const raw = RAW.find((p) => p.test(message) || p.test(extra));
  if (raw) return { cls: 'unclear', why: `raw text ${raw}`, message: message || extra };
  // The program's own budget stopped it: bounded, but still a file that hangs or blows up the reader.
  if (/took longer than .* to open/.test(message)) return { cls: 'hang', why: 'stopped by the open time budget', message };
  if (/needed more than \d+ MB of memory to open/.test(message)) return { cls: 'memory', why: 'stopped by the open memory budget', message };
  const isUsage = r.spawned ? /\(see rnn-inspector --help\)|^Usage:/.test(message) : r.error?.name === 'UsageError';
  if (isUsage && opts.usage) return { cls: 'clean', why: 'usage error', message };
  if (!namesAFile(message, namedFiles(r.argv))) return { cls: 'unclear', why: 'does not name the file', message };
  return { cls: 'clean', why: 'clear error', message };
}

export function worst(vs: Verdict[]): Verdict {
  return vs.reduce((a, b) => (SEVERITY.indexOf(b.cls) < SEVERITY.indexOf(a.cls) ? b : a));
}
