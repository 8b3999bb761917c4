/**
 * rnn-inspector summary | predict | verify | gradients — the core, headless.
 * Exit codes: 0 success (verify: every output matches), 1 verify mismatch (gradients --check: a
 * relative error above 1e-6), 2 input error.
 * Any error: one line on stderr naming the file and the problem, never a stack trace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { forwardParallel } from './parallel';
import { streamable, verifyStreamed } from './streamVerify';
import {
  DEFAULT_ATOL,
  DEFAULT_RTOL,
  InspectorError,
  countNonFinite,
  explainNonFinite,
  arrayToNested,
  findSidecars,
  fmtShape,
  kerasSummary,
  loadArrays,
  openModelBounded,
  parseHardSigmoid,
  randomInputs,
  recheckHardSigmoid,
  summarize,
  verify,
  writeNpy,
  type HardSigmoid,
  type Model,
  type NDArray,
  type Summary,
  type SummaryOptions,
} from '../core';
import { GRADIENTS_HELP, GRADIENTS_USAGE, runGradients } from './gradients';
import { renderArray, renderVerify, verifyJson } from './render';
import { MAX_SAMPLES, MAX_SEED, UsageError, checkFiles, checkModelPath, checkOut, parseCommandLine, wholeNumber, writeOut } from './args';
import { termSafe } from '../core';

const USAGE = `Usage:
  rnn-inspector summary MODEL [--json] [--config ARCH.json] [--columns C] [--line-length L]
  rnn-inspector predict MODEL [--inputs X.npy|X.npz|X.json …] [--samples N --seed S] [--json] [--out Y.npy] [--hard-sigmoid keras2|keras3] [--precision f64|f32]
  rnn-inspector verify  MODEL [--inputs X …] --expected Y [--expected Y2 …] [--atol A] [--rtol R] [--json] [--hard-sigmoid keras2|keras3] [--precision f64|f32]
${GRADIENTS_USAGE}

MODEL: Keras .h5 / .weights.h5 / .keras, a JSON weight file, or a TF.js model.json (or its folder).
--config ARCH.json gives the architecture (model.to_json()) of a weights-only file; without it a
JSON config beside the file is used when its layer names match, else the topology is inferred.
Without --inputs, predict and verify use the samples stored in the file, then sidecar files beside
the model (X.npy / Y.npy, <model>.inputs.npy / <model>.predictions.npy), then (predict only)
seeded random inputs like np.random.seed(S); np.random.randn(N, T, D).
summary prints model.summary() line for line as Keras 3 prints it for this file, for a terminal
--columns wide (default 80: what Keras sees in a notebook or when output is not a terminal);
--line-length is summary(line_length=L). Then the legend, the weights and the parameter arithmetic.
--hard-sigmoid keras2|keras3 picks the hard_sigmoid definition: keras2 = clip(0.2x + 0.5) (Keras 1/2,
tf.keras 2.x, TF.js), keras3 = relu6(x + 3) / 6 (Keras 3). Default: the one of the framework that
wrote the file (its keras_version / TF.js). --keras2-hard-sigmoid is short for --hard-sigmoid keras2.
--precision f64 (default) computes in float64, the exact reference; f32 computes in float32 as
Keras does (faster). Either runs on the WebAssembly SIMD kernels where they apply.
Tolerance: |manual − expected| ≤ atol + rtol·|expected| (defaults atol ${DEFAULT_ATOL}, rtol ${DEFAULT_RTOL}).
${GRADIENTS_HELP}`;

/** Where main() prints results (tests pass their own). */
export type Print = (text: string) => void;
const stdoutPrint: Print = (s) => {
  process.stdout.write(s + '\n');
};

const int = (n: number) => n.toLocaleString('en-US');

/**
 * model.summary() exactly as Keras 3 prints it (the core's one renderer), then what the file was
 * read as, the N/T/D/M/K legend, the weights in the notebooks' notation and the parameter arithmetic.
 */
export function renderSummary(s: Summary, model: Model, opts: SummaryOptions = {}): string {
  const lines: string[] = [...kerasSummary(model, s, opts).lines];
  lines.push('');
  lines.push(`Read as: ${s.format.label}${s.kerasVersion && !s.format.label.includes(s.kerasVersion) ? ` (Keras ${s.kerasVersion})` : ''}`);
  const d = s.dims;
  const m = d.M.length ? d.M.map((x, i) => (d.M.length > 1 ? `M${i + 1}=${x}` : `M=${x}`)).join(', ') : 'M=—';
  lines.push(`Legend: N=${d.N ?? 'samples'} T=${d.T ?? 'None'} D=${d.D ?? '—'} ${m} K=${d.K ?? '—'}   (N samples, T time steps, D input features, M hidden units, K outputs)`);
  const weighted = s.layers.flatMap((l) => (l.inner?.length ? l.inner.map((i) => ({ ...i, name: `${l.name}/${i.name}` })) : [l])).filter((l) => l.weights.length);
  if (weighted.length) {
    lines.push('');
    lines.push('Weights:');
    const wr = weighted.flatMap((l) =>
      l.weights.map((wt) => [l.name, wt.symbol ?? '', wt.role, wt.shape.join('×') || 'scalar', wt.notation ? `(${wt.notation})` : '', wt.blocks?.length ? `gates ${wt.blocks.map((b) => b.gate).join(',')}` : '']),
    );
    const ww = [0, 1, 2, 3, 4].map((i) => wr.reduce((m, r) => Math.max(m, r[i].length), 0)); // no spread: 100,000 rows
    for (const r of wr) lines.push(`  ${r[0].padEnd(ww[0])}  ${r[1].padEnd(ww[1])}  ${r[2].padEnd(ww[2])}  ${r[3].padStart(ww[3])} ${r[4].padEnd(ww[4])} ${r[5]}`.trimEnd());
    const arith = s.layers.filter((l) => l.arithmetic);
    if (arith.length) {
      lines.push('');
      lines.push('Parameters:');
      for (const l of arith) lines.push(`  ${l.name}: ${l.arithmetic}`);
    }
  }
  const notes = [...s.notes, ...s.unsupported];
  if (notes.length) {
    lines.push('');
    for (const n of notes) lines.push(`Note: ${n}`);
  }
  if (!model.hasWeights) lines.push('Note: no weights in this file: no forward pass.');
  return lines.join('\n');
}

function summaryJson(s: Summary, model: Model, opts: SummaryOptions) {
  return {
    format: s.format.id,
    format_label: s.format.label,
    keras_version: s.kerasVersion ?? null,
    model_name: s.modelName,
    model_class: s.modelClass,
    layers: s.layers.map((l) => ({
      name: l.name,
      class_name: l.className,
      output_shape: l.outputShape.length === 1 ? l.outputShape[0] : l.outputShape,
      params: l.params,
      trainable_params: l.trainableParams,
      weights: l.weights.map((w) => ({ name: w.name, role: w.role, shape: w.shape, ...(w.symbol ? { symbol: w.symbol } : {}), ...(w.notation ? { notation: w.notation } : {}) })),
    })),
    total_params: s.totalParams,
    trainable_params: s.trainableParams,
    non_trainable_params: s.nonTrainableParams,
    total_bytes: s.totalBytes,
    dims: s.dims,
    notes: s.notes,
    unsupported: s.unsupported,
    summary_text: kerasSummary(model, s, opts).lines.join('\n'),
  };
}

async function readArrays(files: string[], what: string): Promise<NDArray[]> {
  const arrays: NDArray[] = [];
  for (const f of files) {
    for (const a of await loadArrays(f)) arrays.push(a.array);
  }
  if (!arrays.length) throw new InspectorError(files.join(', '), `no ${what} arrays found`);
  return arrays;
}

interface Inputs {
  arrays: NDArray[];
  from: string;
}

async function resolveInputs(model: Model, file: string, given: string[] | undefined, random: { n?: string; seed?: string }, allowRandom: boolean): Promise<Inputs> {
  if (given?.length) return { arrays: await readArrays(given, 'input'), from: given.join(', ') };
  if (random.n !== undefined || random.seed !== undefined) {
    if (!allowRandom) throw new UsageError('verify needs real inputs (--inputs); random inputs have no expected predictions');
    const n = random.n === undefined ? 1 : wholeNumber(random.n, '--samples', 1, MAX_SAMPLES);
    const seed = random.seed === undefined ? 0 : wholeNumber(random.seed, '--seed', 0, MAX_SEED);
    const r = randomInputs(model, n, seed);
    return { arrays: r.arrays, from: r.python };
  }
  if (model.samples?.inputs?.length) return { arrays: model.samples.inputs, from: `${file} (stored samples)` };
  const side = findSidecars(file);
  if (side.inputs) return { arrays: await readArrays(side.inputs, 'input'), from: side.inputs.join(', ') };
  if (!allowRandom) throw new UsageError('no inputs: pass --inputs X.npy (no samples in the file and no sidecar X.npy / <model>.inputs.npy beside it)');
  const r = randomInputs(model, 1, 0);
  return { arrays: r.arrays, from: r.python };
}

/** Expected predictions (verify) or targets (gradients) when none are given: stored samples, then sidecars. */
async function expectedArrays(model: Model, file: string, storedOk: boolean): Promise<Inputs> {
  if (storedOk && model.samples?.expected?.length) return { arrays: model.samples.expected, from: `${file} (stored samples)` };
  const side = findSidecars(file).expected;
  if (!side) throw new UsageError('no expected predictions / targets: pass --expected Y.npy (verify) or --targets T.npy (gradients)');
  return { arrays: await readArrays(side, 'expected'), from: side.join(', ') };
}

function writeOutputs(outPath: string, arrays: { name: string; array: NDArray }[], guard: (p: string) => void): string[] {
  const ext = path.extname(outPath) || '.npy';
  const stem = outPath.slice(0, outPath.length - path.extname(outPath).length);
  const paths = arrays.length === 1 ? [outPath] : arrays.map((_, i) => `${stem}_${i}${ext}`);
  paths.forEach(guard);
  paths.forEach((p, i) => writeOut(p, writeNpy(arrays[i].array, 'float32')));
  return paths;
}

function parseTolerance(v: string | undefined, name: string, dflt: number): number {
  if (v === undefined) return dflt;
  const x = Number(v);
  if (!Number.isFinite(x) || x < 0) throw new UsageError(`--${name} must be a non-negative number (got ${v})`);
  return x;
}

function parseWidth(v: string, name: string): number {
  const x = Number(v);
  if (!Number.isInteger(x) || x < 40 || x > 1000) throw new UsageError(`--${name} must be a whole number of columns from 40 to 1000 (got ${v})`);
  return x;
}

export async function main(argv: string[], sink: Print = stdoutPrint): Promise<number> {
  // A problem found after the model was opened (shapes against the inputs or the expected
  // predictions, the forward pass…) names the model file when it names none.
  const opened: { file?: string } = {};
  try {
    return await run(argv, sink, opened);
  } catch (e) {
    if (e instanceof InspectorError && !e.file && opened.file) throw new InspectorError(opened.file, e.problem, e.detail);
    throw e;
  }
}

async function run(argv: string[], sink: Print, opened: { file?: string }): Promise<number> {
  // The print boundary: names and file names from a file reach the terminal through termSafe
  // (control characters, escape sequences, bidi overrides shown as \uXXXX; JSON stays valid).
  const out: Print = (s) => sink(termSafe(s));
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    out(USAGE);
    return command ? 0 : 2;
  }
  if (command === '--version' || command === '-v') {
    out(require('../../package.json').version);
    return 0;
  }
  if (!['summary', 'predict', 'verify', 'gradients'].includes(command)) throw new UsageError(`unknown command "${command}" (summary, predict, verify or gradients)`);
  const parsed = parseCommandLine(rest);
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError(`${command} takes exactly one MODEL file`);
  const file = positionals[0];
  checkModelPath(file);
  checkFiles(values.config === undefined ? undefined : [values.config], '--config');
  for (const o of ['inputs', 'expected', 'targets'] as const) checkFiles(values[o], `--${o}`);
  if (values.samples !== undefined) wholeNumber(values.samples, '--samples', 1, MAX_SAMPLES);
  if (values.seed !== undefined) wholeNumber(values.seed, '--seed', 0, MAX_SEED);
  let guardOut: (p: string) => void = () => undefined;
  if (values.out !== undefined) {
    if (command !== 'predict' && command !== 'gradients') throw new UsageError(`--out is for predict and gradients, not ${command}`);
    const side = findSidecars(file);
    const named = (files: string[] | undefined, what: string) => (files ?? []).map((f) => ({ file: f, what }));
    const read = [
      ...named(values.inputs, '--inputs'),
      ...named(values.expected, '--expected'),
      ...named(values.targets, '--targets'),
      ...named(values.config ? [values.config] : [], '--config'),
      ...named(side.inputs, 'the inputs found beside the model'),
      ...named(side.expected, 'the expected predictions found beside the model'),
    ];
    guardOut = (p) => checkOut(p, file, read);
    guardOut(values.out);
  }
  const model = await openModelBounded(file, { weights: command !== 'summary', configPath: values.config });
  opened.file = file;
  if (command === 'summary') {
    const s = summarize(model);
    const opts: SummaryOptions = {
      columns: values.columns === undefined ? undefined : parseWidth(values.columns, 'columns'),
      lineLength: values['line-length'] === undefined ? undefined : parseWidth(values['line-length'], 'line-length'),
    };
    out(values.json ? JSON.stringify(summaryJson(s, model, opts), null, 2) : renderSummary(s, model, opts));
    return 0;
  }
  if (!model.hasWeights) throw new InspectorError(file, 'this file holds an architecture only (no weights): no forward pass');
  const atol = parseTolerance(values.atol, 'atol', DEFAULT_ATOL);
  const rtol = parseTolerance(values.rtol, 'rtol', DEFAULT_RTOL);
  const precision = values.precision ?? 'f64';
  if (precision !== 'f64' && precision !== 'f32') throw new UsageError(`--precision must be f64 or f32 (got ${precision})`);
  let hardSigmoid: HardSigmoid | undefined = values['keras2-hard-sigmoid'] ? 'keras2' : undefined;
  if (values['hard-sigmoid'] !== undefined) {
    const hs = parseHardSigmoid(values['hard-sigmoid']);
    if (!hs) throw new UsageError(`--hard-sigmoid must be keras2 or keras3 (got ${values['hard-sigmoid']})`);
    hardSigmoid = hs === 'auto' ? undefined : hs;
  }
  // A large X.npy is verified a batch at a time, at constant memory (./streamVerify).
  const big = command === 'verify' ? streamable(model, values.inputs, values.expected, (f) => fs.statSync(f).size) : undefined;
  if (big) {
    const tty = process.stderr.isTTY;
    const r = await verifyStreamed(model, big.x, big.y, { atol, rtol, precision, hardSigmoid }, (d, n) => tty && process.stderr.write(`\rverify: ${d} / ${n} samples`));
    if (tty) process.stderr.write('\n');
    const arith = `Arithmetic: ${r.precision === 'f32' ? 'float32' : 'float64'} (${r.kernels === 'wasm-simd' ? 'WebAssembly SIMD kernels' : 'TypeScript kernels'}${r.threads > 1 ? `, ${r.threads} threads` : ''}; streamed in ${r.batches} batches)`;
    const notes = r.report.outputs.some((o) => o.nonFinite) ? ['NaN / Inf in the manual output or the expected predictions (counts above); run verify on a smaller --inputs to see where they first appear.'] : [];
    out(values.json ? JSON.stringify({ ...verifyJson(r.report), precision: r.precision, kernels: r.kernels, batches: r.batches, ...(notes.length ? { non_finite_notes: notes } : {}) }, null, 2) : `${arith}\n${renderVerify(r.report, big.x, big.y, notes)}`);
    return r.report.pass ? 0 : 1;
  }
  const inputs = await resolveInputs(model, file, values.inputs, { n: values.samples, seed: values.seed }, command === 'predict');
  if (command === 'gradients') {
    const t = values.targets?.length ? { arrays: await readArrays(values.targets, 'target'), from: values.targets.join(', ') } : await expectedArrays(model, file, !values.inputs?.length);
    const g = { model, inputs: inputs.arrays, inputsFrom: inputs.from, targets: t.arrays, targetsFrom: t.from, loss: values.loss, check: values.check, json: values.json, out: values.out };
    return runGradients({ ...g, hardSigmoid }, out, (m) => new UsageError(m));
  }
  // On every core when the work is large (./parallel): the same numbers as one forward().
  const result = await forwardParallel(model, inputs.arrays, { hardSigmoid, precision });
  const arith =
    `Arithmetic: ${result.precision === 'f32' ? 'float32' : 'float64'} (${result.kernels === 'wasm-simd' ? 'WebAssembly SIMD kernels' : 'TypeScript kernels'}${result.threads > 1 ? `, ${result.threads} threads` : ''})` +
    (result.hardSigmoid ? `\nhard_sigmoid: ${result.hardSigmoid.why}` : '');
  const outs = result.outputs.map((o) => o.array);
  if (command === 'predict') {
    const nf = explainNonFinite(model, inputs.arrays, outs, undefined, { hardSigmoid, precision });
    if (values.out) {
      const written = writeOutputs(values.out, result.outputs, guardOut);
      if (!values.json) out(`Wrote ${written.join(', ')}`);
    }
    if (values.json) {
      out(JSON.stringify({ inputs: inputs.from, precision: result.precision, kernels: result.kernels, ...(result.hardSigmoid ? { hard_sigmoid: result.hardSigmoid.semantics } : {}), outputs: result.outputs.map((o) => ({ name: o.name, shape: o.array.shape, data: arrayToNested(o.array) })), ...(nf.notes.length ? { non_finite_notes: [...nf.notes, 'JSON has no NaN / Infinity: those values are written as null.'] } : {}) }));
    } else {
      out(`Inputs: ${inputs.from}`);
      out(arith);
      for (const o of result.outputs) {
        out(`${o.name}  shape (${o.array.shape.join(', ')})`);
        out(renderArray(o.array));
      }
      for (const n of nf.notes) out(`Note: ${n}`);
    }
    return 0;
  }
  const { arrays: expected, from: expectedFrom } = values.expected?.length
    ? { arrays: await readArrays(values.expected, 'expected'), from: values.expected.join(', ') }
    : await expectedArrays(model, file, !values.inputs?.length);
  const report = verify(result.outputs, expected, { atol, rtol });
  const nf = report.outputs.some((o) => o.nonFinite) || !inputs.arrays.every((x) => !countNonFinite(x.data)) ? explainNonFinite(model, inputs.arrays, outs, expected, { hardSigmoid, precision }) : { notes: [] };
  const other = recheckHardSigmoid(model, inputs.arrays, expected, { ...result, traces: [] }, report, { atol, rtol }, { precision });
  const hsJson = result.hardSigmoid ? { hard_sigmoid: result.hardSigmoid.semantics, hard_sigmoid_source: result.hardSigmoid.source, ...(other ? { hard_sigmoid_other_matches: other } : {}) } : {};
  out(
    values.json
      ? JSON.stringify({ ...verifyJson(report), precision: result.precision, kernels: result.kernels, ...hsJson, ...(nf.notes.length ? { non_finite_notes: nf.notes } : {}) }, null, 2)
      : `${arith}\n${renderVerify(report, inputs.from, expectedFrom, nf.notes)}${other ? `\nNote: ${other}` : ''}`,
  );
  return report.pass ? 0 : 1;
}

/** The error as one line on stderr (a name with a line break in it is shown as \n). */
export function oneLine(e: unknown): string {
  const flat = (s: string): string => s.replace(/\r?\n/g, '\\n');
  if (e instanceof InspectorError) return flat(e.message);
  if (e instanceof UsageError) return `rnn-inspector: ${flat(e.message)} (see rnn-inspector --help)`;
  const msg = e instanceof Error ? e.message : String(e);
  return `rnn-inspector: ${msg.split('\n')[0]}`;
}

if (require.main === module && isMainThread) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(termSafe(oneLine(e)) + '\n');
      process.exitCode = 2;
    },
  );
}
