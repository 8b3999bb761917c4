/** The Markdown report (Export Report): header, legend, summary, layer shapes, verification. No vscode import. */
import type { LayerView, ModelView, RunResult, WeightView } from '../shared/messages';
import { fmtInt, fmtNum } from '../shared/format';
import { mdCode, mdFence, mdText } from '../core/text';

const dimText = (d: number | null | number[]): string =>
  Array.isArray(d) ? (d.length ? d.join(', ') : '—') : d === null ? 'None' : String(d);

/** A table cell or inline text: file-derived strings never become Markdown structure (core/text mdText). */
const cell = (s: string): string => mdText(String(s), true);
const text = (s: string): string => mdText(String(s));
/** Numbers from a file, printed only when they are numbers. */
const nums = (xs: readonly unknown[]): string => xs.map((x) => (typeof x === 'number' || x === null ? String(x) : mdText(String(x)))).join(', ');

function weightRows(layer: LayerView, out: string[]): void {
  const all: WeightView[] = layer.weights.length ? layer.weights : (layer.inner ?? []).flatMap((i) => i.weights);
  for (const w of all) {
    const blocks = w.blocks?.map((b) => `${b.gate} [${b.columns[0]}:${b.columns[1]}]`).join(', ') ?? '';
    out.push(
      `| ${cell(w.symbol ?? w.role)} | ${cell(w.notation ?? '')} | (${nums(w.shape)}) | ${fmtInt(w.params)} | ${cell(w.name)} | ${cell(blocks)} |`,
    );
  }
}

export function verdictLine(r: RunResult): string {
  const v = r.verify;
  if (!v) return `Ran ${r.samples} sample(s); no expected predictions were given.`;
  const nanManual = v.outputs.reduce((n, o) => n + (o.nonFinite?.actual ?? 0), 0);
  const nanExpected = v.outputs.reduce((n, o) => n + (o.nonFinite?.expected ?? 0), 0);
  // NaN / Inf is not a difference of arithmetic: say so instead of a max |Δ| of NaN.
  if (nanManual) return `✗ not verified: the manual forward pass gives ${nanManual} NaN / Inf value${nanManual === 1 ? '' : 's'} (the weights or the inputs hold NaN / Inf, or the values overflow)`;
  if (nanExpected && !v.pass) return `✗ does not match: the expected predictions hold ${nanExpected} NaN / Inf value${nanExpected === 1 ? '' : 's'}, which never match`;
  const worst = v.outputs.reduce((a, o) => (!(o.maxAbsDiff <= a.maxAbsDiff) ? o : a), v.outputs[0]);
  const head = `${v.pass ? '✓ matches' : '✗ does not match'}: max |Δ| = ${fmtNum(worst.maxAbsDiff)} (atol ${v.atol}, rtol ${v.rtol})`;
  if (v.pass || !worst.worst) return head;
  const w = worst.worst;
  return `${head}; worst sample ${w.sample}: manual ${fmtNum(w.actual)} vs expected ${fmtNum(w.expected)} at index [${w.index.join(', ')}]`;
}

export function markdownReport(m: ModelView, run: RunResult | undefined, now = new Date()): string {
  const out: string[] = [];
  out.push(`# RNN Inspector report: ${text(m.fileName)}`, '');
  out.push(`- File: ${mdCode(m.file)} (${fmtInt(m.bytes)} bytes)`);
  out.push(`- Format: ${text(m.formatLabel)}`);
  if (m.kerasVersion) out.push(`- Keras version: ${text(m.kerasVersion)}`);
  out.push(`- Model: "${text(m.modelName)}" (${text(m.modelClass)})`);
  out.push(`- Generated: ${now.toISOString()}`);
  for (const n of m.notes) out.push(`- Inferred: ${text(n)}`);
  for (const u of m.unsupported) out.push(`- Not supported: ${text(u)}`);
  out.push('', '## Dimensions', '', '| N | T | D | M | K |', '|---|---|---|---|---|');
  out.push(`| ${[m.dims.N, m.dims.T, m.dims.D, m.dims.M, m.dims.K].map((d) => cell(dimText(d))).join(' | ')} |`);
  out.push('', 'N samples, T sequence length, D input features, M hidden units, K outputs.');
  const t = m.summary;
  out.push('', '## Summary (as model.summary())', '', `| ${t.header.map(cell).join(' | ')} |`, `|---|---|---:|${t.connected ? '---|' : ''}`);
  for (const r of t.rows) out.push(`| ${[`${r.name} (${r.className})`, r.outputShape, r.params, ...(t.connected ? [r.connectedTo ?? '-'] : [])].map(cell).join(' | ')} |`);
  out.push('');
  for (const total of t.totals) out.push(`- ${total.label}: ${total.text}`);
  out.push('', ...mdFence(m.summaryText));
  out.push('', '## Layers');
  for (const l of m.layers) {
    if (!l.weights.length && !l.inner?.length) continue;
    out.push('', `### ${text(l.name)} (${text(l.className)})`, '');
    out.push('| symbol | notation | shape | params | stored as | gate blocks |', '|---|---|---|---:|---|---|');
    weightRows(l, out);
    if (l.arithmetic) out.push('', `Parameters: ${text(l.arithmetic)}`);
    if (l.equations?.length) out.push('', ...mdFence(l.equations.join('\n')));
  }
  out.push('', '## Forward pass and verification', '');
  if (!run) {
    out.push('Not run. Open the file in RNN Inspector and press Run, or use "RNN Inspector: Verify Predictions…".');
  } else {
    out.push(`- Inputs: ${text(run.inputsLabel)}, shape (${nums(run.inputShape)})`);
    if (run.expectedLabel) out.push(`- Expected: ${text(run.expectedLabel)}`);
    out.push(`- Arithmetic: ${run.precision === 'f32' ? 'float32' : 'float64'} (${run.kernels === 'wasm-simd' ? 'WebAssembly SIMD kernels' : 'TypeScript kernels'})`);
    if (run.hardSigmoid) out.push(`- hard_sigmoid: ${text(run.hardSigmoid.why)}`);
    out.push(`- Result: ${text(verdictLine(run))}`);
    if (run.hardSigmoid?.otherMatches) out.push(`- Note: ${text(run.hardSigmoid.otherMatches)}`);
    if (run.verify) {
      out.push('', '| output | shape | max abs diff | mismatches | result | worst sample |', '|---|---|---:|---:|---|---|');
      for (const o of run.verify.outputs) {
        out.push(
          `| ${cell(o.name)} | (${nums(o.shape)}) | ${fmtNum(o.maxAbsDiff)} | ${o.mismatches} / ${o.count} | ${o.pass ? '✓' : '✗'} | ${o.worst ? o.worst.sample : '—'} |`,
        );
      }
    }
    out.push('', '| sample | manual | expected | max abs diff | result |', '|---:|---|---|---:|---|');
    for (const r of run.rows) {
      const vec = (v?: number[]): string => (v ? `[${v.slice(0, 8).map(fmtNum).join(', ')}${v.length > 8 ? ', …' : ''}]` : '—');
      out.push(
        `| ${r.sample} | ${vec(r.manual)} | ${vec(r.expected)} | ${r.maxAbsDiff === undefined ? '—' : fmtNum(r.maxAbsDiff)} | ${r.pass === undefined ? '' : r.pass ? '✓' : '✗'} |`,
      );
    }
    if (run.rowsTruncated) out.push('', `(${run.rows.length} of ${run.samples} samples shown${run.rowOrder === 'worst' ? ', worst first' : ', the first ones'})`);
  }
  out.push('');
  return out.join('\n');
}
