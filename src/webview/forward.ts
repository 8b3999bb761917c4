/**
 * The forward-pass section: where inputs and expected predictions come from, the random-input
 * fields, Run / Cancel, the verdict, the per-sample rows and the hidden-state traces.
 */
import {
  ROW_LIMIT,
  sourceKey,
  type ArraySource,
  type ModelView,
  type RowOrder,
  type RowsPage,
  type SampleRow,
  type RunRequest,
  type RunResult,
  type SettingsView,
  type TraceView,
} from '../shared/messages';
import { fmtInt, fmtNum } from '../shared/format';
import { button, h, icon } from './dom';
import { heatmap } from './heatmap';
import { setSamples } from './header';
import { stepThrough } from './stepper';
import { host, panel, post, save } from './state';

let pickedSources: ArraySource[] = panel.state.pickedSources ?? [];

/** Forgets the files picked for another model. */
export function resetPicked(): void {
  pickedSources = panel.state.pickedSources ?? [];
}
const BROWSE = '__browse__';

function sourceSelect(purpose: 'inputs' | 'expected', sources: ArraySource[], selected: string | undefined): HTMLSelectElement {
  const all = [...sources, ...pickedSources.filter((p) => !sources.some((s) => sourceKey(s) === sourceKey(p)))];
  const sel = h('select', { id: `src-${purpose}`, 'aria-label': purpose === 'inputs' ? 'Inputs' : 'Expected predictions' });
  for (const s of all) sel.append(h('option', { value: sourceKey(s), title: s.path ?? s.label }, s.label));
  sel.append(h('option', { value: BROWSE }, 'Browse…'));
  const preferred = selected && all.some((s) => sourceKey(s) === selected) ? selected : sourceKey(all[0]);
  sel.value = preferred;
  let previous = sel.value;
  sel.addEventListener('change', () => {
    if (sel.value === BROWSE) {
      sel.value = previous;
      host.request<{ type: 'sourcePicked'; purpose: 'inputs' | 'expected'; source: ArraySource | null }>({ type: 'pickSource', purpose }).then(
        (r) => r.source && onPicked(purpose, r.source),
        () => undefined,
      );
      return;
    }
    previous = sel.value;
    save(purpose === 'inputs' ? { inputKey: sel.value } : { expectedKey: sel.value });
    updateRandomFields();
  });
  return sel;
}

function onPicked(purpose: 'inputs' | 'expected', source: ArraySource): void {
  pickedSources = [...pickedSources.filter((p) => sourceKey(p) !== sourceKey(source)), source];
  save({ pickedSources, ...(purpose === 'inputs' ? { inputKey: sourceKey(source) } : { expectedKey: sourceKey(source) }) });
  const m = panel.model;
  if (!m) return;
  const old = document.getElementById(`src-${purpose}`);
  old?.replaceWith(sourceSelect(purpose, purpose === 'inputs' ? m.inputSources : m.expectedSources, sourceKey(source)));
  updateRandomFields();
}

function findSource(key: string, sources: ArraySource[]): ArraySource {
  return [...sources, ...pickedSources].find((s) => sourceKey(s) === key) ?? sources[0];
}

function numberField(id: string, label: string, value: number, min: number, onChange: (v: number) => void): HTMLElement {
  const input = h('input', { id, type: 'number', min, step: 1, value, inputmode: 'numeric' });
  input.addEventListener('change', () => {
    const v = Math.floor(Number(input.value));
    if (Number.isFinite(v) && v >= min) onChange(v);
    else input.value = String(value);
  });
  return h('label', { class: 'field', for: id }, h('span', {}, label), input);
}

export function updateRandomFields(): void {
  const sel = document.getElementById('src-inputs') as HTMLSelectElement | null;
  const box = document.getElementById('random-fields');
  if (sel && box) box.hidden = sel.value !== 'random';
  const req = currentRequest();
  const last = panel.lastResult;
  // N follows the chosen inputs: the random N, or the first axis of the array file once it ran.
  if (req?.inputs.kind === 'random') setSamples(req.samples);
  else setSamples(last && req && sourceKey(last.request.inputs) === sourceKey(req.inputs) ? last.samples : null);
  // A result computed from other inputs or predictions is marked as stale.
  const stale = !!last && !!req && (sourceKey(last.request.inputs) !== sourceKey(req.inputs) || sourceKey(last.request.expected) !== sourceKey(req.expected) ||
    (req.inputs.kind === 'random' && (last.request.seed !== req.seed || last.request.samples !== req.samples || last.request.timesteps !== req.timesteps)));
  const out = document.getElementById('run-result');
  out?.classList.toggle('stale', stale);
  if (out) out.title = stale ? 'These results were computed from other inputs: press Run again' : '';
}

export function currentRequest(): RunRequest | undefined {
  const { model, settings, state } = panel;
  if (!model || !settings) return undefined;
  const inSel = document.getElementById('src-inputs') as HTMLSelectElement | null;
  const outSel = document.getElementById('src-expected') as HTMLSelectElement | null;
  return {
    inputs: findSource(inSel?.value ?? 'random', model.inputSources),
    expected: findSource(outSel?.value ?? 'none', model.expectedSources),
    seed: state.seed ?? settings.defaultSeed,
    samples: state.samples ?? settings.defaultSamples,
    timesteps: state.timesteps ?? settings.defaultTimesteps,
    traceSample: state.traceSample ?? 0,
  };
}

export function forwardSection(m: ModelView, s: SettingsView): HTMLElement {
  const state = panel.state;
  if (!m.forwardSupported) {
    return h(
      'section',
      { class: 'forward', 'aria-labelledby': 'fwd-h' },
      h('h2', { id: 'fwd-h' }, 'Forward pass'),
      h('p', { class: 'notes warn' }, icon('warning'), m.hasWeights ? ' Some layers of this model cannot be run by hand yet (see above).' : ' No weights in this file.'),
    );
  }
  const openT = m.input.perSample[0] === null;
  const shapeText = `(${['N', ...m.input.perSample.map((d, i) => (d === null ? (i === 0 ? 'T' : '?') : String(d)))].join(', ')})`;
  const randomHelp = m.input.integerVocab
    ? `np.random.seed(s); np.random.randint(0, ${m.input.integerVocab}, size=${shapeText})`
    : `np.random.seed(s); np.random.randn${shapeText}`;
  const inSel = sourceSelect('inputs', m.inputSources, state.inputKey);
  const outSel = sourceSelect('expected', m.expectedSources, state.expectedKey);
  const randomFields = h(
    'div',
    { id: 'random-fields', class: 'row' },
    numberField('seed', 'seed s', state.seed ?? s.defaultSeed, 0, (v) => (save({ seed: v }), updateRandomFields())),
    numberField('samples', 'N', state.samples ?? s.defaultSamples, 1, (v) => (save({ samples: v }), updateRandomFields())),
    openT ? numberField('timesteps', 'T', state.timesteps ?? s.defaultTimesteps, 1, (v) => (save({ timesteps: v }), updateRandomFields())) : null,
    h('code', { class: 'muted small' }, randomHelp),
  );
  const runBtn = button('Run', 'play', () => {
    const req = currentRequest();
    if (req) post({ type: 'run', request: req });
  }, { id: 'run', class: 'primary', 'aria-label': 'Run the forward pass' });
  const cancelBtn = button('Cancel', 'debug-stop', () => post({ type: 'cancel' }), { id: 'cancel', hidden: true });
  return h(
    'section',
    { class: 'forward', 'aria-labelledby': 'fwd-h' },
    h('h2', { id: 'fwd-h' }, 'Forward pass ', h('span', { class: 'muted small' }, 'by hand, verified against stored predictions')),
    h('div', { class: 'row' }, h('label', { class: 'field wide', for: 'src-inputs' }, h('span', {}, 'Inputs X'), inSel)),
    randomFields,
    h('div', { class: 'row' }, h('label', { class: 'field wide', for: 'src-expected' }, h('span', {}, 'Expected Y'), outSel)),
    h('div', { class: 'row' }, runBtn, cancelBtn, h('span', { class: 'muted small' }, `tolerance: |Δ| ≤ ${s.atol} + ${s.rtol}·|expected|`)),
    h('div', { id: 'run-status', role: 'status', 'aria-live': 'polite' }),
    h('div', { id: 'run-result' }),
  );
}

export function setRunning(on: boolean, text?: string): void {
  const run = document.getElementById('run') as HTMLButtonElement | null;
  const cancel = document.getElementById('cancel') as HTMLButtonElement | null;
  if (run) run.disabled = on;
  if (cancel) cancel.hidden = !on;
  document.getElementById('run-result')?.classList.toggle('stale', on);
  const status = document.getElementById('run-status');
  if (status) {
    status.replaceChildren();
    if (text) status.append(on ? icon('loading codicon-modifier-spin') : icon('error'), ' ', text);
    status.className = on ? '' : text ? 'error-text' : '';
  }
}

const vec = (v: number[] | undefined): string => (v ? `[${v.slice(0, 6).map(fmtNum).join(', ')}${v.length > 6 ? ', …' : ''}]` : '—');

function verdict(r: RunResult): HTMLElement {
  const v = r.verify;
  if (!v) return h('p', { class: 'verdict none', id: 'verdict' }, icon('info'), ` Ran ${r.samples} sample(s) from ${r.inputsLabel}; no expected predictions to compare with.`);
  const worst = v.outputs.reduce((a, o) => (!(o.maxAbsDiff <= a.maxAbsDiff) ? o : a), v.outputs[0]);
  const w = worst.worst;
  return h(
    'div',
    { class: `verdict ${v.pass ? 'pass' : 'fail'}`, id: 'verdict', 'data-pass': String(v.pass) },
    h('span', { class: 'mark', 'aria-hidden': 'true' }, v.pass ? '✓' : '✗'),
    h(
      'div',
      {},
      h('strong', {}, v.pass ? 'Manual forward pass matches the expected predictions' : 'Manual forward pass does NOT match the expected predictions'),
      h('p', {}, 'max |Δ| = ', h('span', { class: 'mono', id: 'max-diff' }, fmtNum(worst.maxAbsDiff)), ` over ${r.samples} sample(s); tolerance |Δ| ≤ ${v.atol} + ${v.rtol}·|expected|`),
      !v.pass && w
        ? h('p', { id: 'worst' }, `Worst: sample ${w.sample}`, `, index [${w.index.join(', ')}]: manual ${fmtNum(w.actual)} vs expected ${fmtNum(w.expected)} (allowed ${fmtNum(w.tolerance)}); ${worst.mismatches} of ${worst.count} values outside the tolerance`)
        : null,
    ),
  );
}

function sampleRows(r: RunResult, rows: SampleRow[]): HTMLElement[] {
  const withExpected = !!r.verify;
  const worstSample = r.verify?.outputs.find((o) => !o.pass)?.worst?.sample;
  return rows.map((row) =>
    h(
      'tr',
      { class: row.sample === worstSample ? 'worst' : row.pass === false ? 'fail' : '', 'data-sample': row.sample },
      h('td', { class: 'num' }, row.sample),
      h('td', { class: 'mono' }, vec(row.manual)),
      withExpected ? h('td', { class: 'mono' }, vec(row.expected)) : null,
      withExpected ? h('td', { class: 'num mono' }, row.maxAbsDiff === undefined ? '—' : fmtNum(row.maxAbsDiff)) : null,
      withExpected ? h('td', { 'aria-label': row.pass ? 'pass' : 'fail' }, row.pass ? '✓' : '✗') : null,
    ),
  );
}

const shownPages = new WeakMap<RunResult, RowsPage>();

const pageText = (p: RowsPage): string =>
  `Rows ${fmtInt(p.offset + 1)}–${fmtInt(p.offset + p.rows.length)} of ${fmtInt(p.total)} samples${p.order === 'worst' ? ', worst first' : ', by sample'}`;

/**
 * The per-sample table. Up to ROW_LIMIT samples it is the whole table; beyond, the host keeps the
 * rows and sends one page at a time (worst first when verified, or by sample): Previous / Next and
 * the order are buttons and a drop-down, so the keyboard reaches them.
 */
function samplesTable(r: RunResult): HTMLElement {
  const withExpected = !!r.verify;
  const head = ['sample', 'manual (ours)', ...(withExpected ? ['expected', 'max |Δ|', ''] : [])];
  // The page shown last for this result: a redraw (a theme change, a re-shown panel) keeps it.
  let page: RowsPage = shownPages.get(r) ?? { order: r.rowOrder, offset: 0, total: r.samples, rows: r.rows };
  const tbody = h('tbody', {}, ...sampleRows(r, page.rows));
  const table = h('table', { class: 'samples', id: 'sample-rows' }, h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))), tbody);
  if (!r.rowsTruncated) {
    table.prepend(h('caption', { class: 'muted small' }, `${r.samples} sample(s)`));
    return table;
  }
  const caption = h('span', { id: 'rows-caption', class: 'muted small', role: 'status', 'aria-live': 'polite' }, pageText(page));
  const prev = button('Previous', 'chevron-left', () => go(page.order, page.offset - ROW_LIMIT), { id: 'rows-prev', 'aria-label': `Previous ${ROW_LIMIT} samples` });
  const next = button('Next', 'chevron-right', () => go(page.order, page.offset + ROW_LIMIT), { id: 'rows-next', 'aria-label': `Next ${ROW_LIMIT} samples` });
  const order = withExpected ? h('select', { id: 'rows-order', 'aria-label': 'Order of the rows' }, h('option', { value: 'worst' }, 'worst first'), h('option', { value: 'index' }, 'by sample')) : null;
  if (order) {
    order.value = page.order;
    order.addEventListener('change', () => go(order.value === 'index' ? 'index' : 'worst', 0));
  }
  const failing = r.failingSamples !== undefined ? h('span', { class: 'muted small', id: 'rows-failing' }, `${fmtInt(r.failingSamples)} of ${fmtInt(r.samples)} outside the tolerance`) : null;
  const sync = (): void => {
    caption.textContent = pageText(page);
    prev.disabled = page.offset <= 0;
    next.disabled = page.offset + page.rows.length >= page.total;
  };
  let busy = false;
  function go(o: RowOrder, offset: number): void {
    // Not disabled while the page is on its way: a disabled button would drop the keyboard focus.
    if (busy || offset < 0 || offset >= page.total) return;
    busy = true;
    table.setAttribute('aria-busy', 'true');
    host.request<{ type: 'rows'; page: RowsPage | null; error?: string }>({ type: 'rows', order: o, offset }).then(
      (reply) => {
        busy = false;
        table.setAttribute('aria-busy', 'false');
        if (!reply.page) {
          caption.textContent = reply.error ?? 'These rows are no longer available: run again.';
          return;
        }
        const wasFocused = document.activeElement;
        page = reply.page;
        shownPages.set(r, page);
        tbody.replaceChildren(...sampleRows(r, page.rows));
        sync();
        // Keep the keyboard where it was; a button that just became disabled hands focus to the other.
        if (wasFocused instanceof HTMLButtonElement && wasFocused.disabled) (wasFocused === next ? prev : next).focus();
      },
      () => {
        busy = false;
        table.setAttribute('aria-busy', 'false');
        sync();
      },
    );
  }
  sync();
  return h(
    'div',
    { class: 'samples-paged' },
    h('div', { class: 'row pager', role: 'group', 'aria-label': 'Per-sample rows' }, prev, next, order, caption, failing),
    table,
  );
}

export function resultView(r: RunResult): HTMLElement {
  const sampleInput = numberField('trace-sample', 'sample', r.request.traceSample, 0, (v) => {
    const s = Math.min(v, r.samples - 1);
    save({ traceSample: s });
    host.request<{ type: 'traces'; sample: number; traces: TraceView[] }>({ type: 'trace', sample: s }).then(
      (t) => {
        document.getElementById('traces')?.replaceChildren(...traceFigures(t.traces));
        const steps = panel.model && stepThrough(panel.model, t.sample);
        if (steps) document.getElementById('step-through')?.replaceWith(steps);
      },
      () => undefined,
    );
  });
  return h(
    'div',
    {},
    verdict(r),
    h('p', { class: 'muted small' }, `Inputs: ${r.inputsLabel} (${r.inputShape.join(' × ')})`, r.expectedLabel ? ` · expected: ${r.expectedLabel}` : '', ` · ${r.elapsedMs} ms`),
    samplesTable(r),
    h('h3', {}, 'Hidden state hₜ over time'),
    h('div', { class: 'row' }, sampleInput, h('span', { class: 'muted small' }, `0 … ${r.samples - 1}; rows = units, columns = time steps t`)),
    h('div', { id: 'traces' }, ...traceFigures(r.traces)),
    panel.model ? stepThrough(panel.model, r.request.traceSample) : null,
  );
}

export function traceFigures(traces: TraceView[]): HTMLElement[] {
  if (!traces.length) return [h('p', { class: 'muted' }, 'No recurrent layer states to show.')];
  return traces.map((t) =>
    h('div', { class: 'figure' }, h('h4', {}, `${t.layer} (${t.className}${t.direction ? `, ${t.direction}` : ''}) — sample ${t.sample}`), heatmap(t.matrix, { symbol: 'h', maxWidth: 640 })),
  );
}
