/**
 * The inspection panel (browser code). It draws what the host sends and posts back what the user
 * asks for; it never reads files or imports src/core.
 */
import {
  sourceKey,
  type ArraySource,
  type HostToWebview,
  type LayerView,
  type MatrixView,
  type ModelView,
  type PanelState,
  type RunRequest,
  type RunResult,
  type SettingsView,
  type TraceView,
  type WebviewToHost,
  type WeightView,
} from '../shared/messages';
import { fmtInt, fmtNum, readableBytes } from '../shared/format';
import { button, h, icon } from './dom';
import { heatmap, splitByGate } from './heatmap';

interface VsCodeApi {
  postMessage(m: WebviewToHost): void;
  getState(): PanelState | undefined;
  setState(s: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app') as HTMLElement;
let state: PanelState = vscode.getState() ?? {};
let model: ModelView | undefined;
let settings: SettingsView | undefined;
/** Heatmap slots waiting for their weight values. */
const pendingWeights = new Map<string, { slot: HTMLElement; weight: WeightView }>();

const post = (m: WebviewToHost): void => vscode.postMessage(m);
function save(patch: Partial<PanelState>): void {
  state = { ...state, ...patch };
  vscode.setState(state);
}

// ---------------------------------------------------------------------------------------------
// Header, legend, summary

const dimText = (d: number | null | number[]): string =>
  Array.isArray(d) ? (d.length ? d.join(', ') : '—') : d === null ? 'None' : String(d);

function header(m: ModelView): HTMLElement {
  const facts: [string, string][] = [
    ['Format', m.formatLabel],
    ['Keras', m.kerasVersion ?? 'not recorded'],
    ['Size', `${readableBytes(m.bytes)} (${fmtInt(m.bytes)} bytes)`],
    ['Model', `"${m.modelName}" (${m.modelClass})`],
  ];
  return h(
    'header',
    { class: 'file-header' },
    h('h1', {}, icon('symbol-structure'), ' ', m.fileName),
    h('p', { class: 'muted path', title: m.file }, m.file),
    h('dl', { class: 'facts' }, ...facts.flatMap(([k, v]) => [h('dt', {}, k), h('dd', { 'data-fact': k.toLowerCase() }, v)])),
    m.notes.length
      ? h('div', { class: 'notes', role: 'note' }, icon('info'), h('div', {}, h('strong', {}, 'Inferred rather than read: '), h('ul', {}, ...m.notes.map((n) => h('li', {}, n)))))
      : null,
    m.unsupported.length
      ? h('div', { class: 'notes warn', role: 'note' }, icon('warning'), h('div', {}, h('strong', {}, 'Not supported: '), h('ul', {}, ...m.unsupported.map((n) => h('li', {}, n)))))
      : null,
    !m.hasWeights ? h('p', { class: 'notes warn' }, icon('warning'), ' This file holds the architecture only: shapes and parameters, no forward pass.') : null,
  );
}

function legend(m: ModelView): HTMLElement {
  const items: [string, string, string][] = [
    ['N', 'samples', dimText(m.dims.N)],
    ['T', 'sequence length', dimText(m.dims.T)],
    ['D', 'input features', dimText(m.dims.D)],
    ['M', 'hidden units', dimText(m.dims.M)],
    ['K', 'outputs', dimText(m.dims.K)],
  ];
  return h(
    'section',
    { class: 'legend', 'aria-label': 'Dimensions' },
    ...items.map(([k, what, v]) => h('div', { class: 'dim', 'data-dim': k }, h('span', { class: 'dim-key' }, k), h('span', { class: 'dim-value' }, v), h('span', { class: 'dim-what muted' }, what))),
  );
}

function summaryTable(m: ModelView): HTMLElement {
  const rows = m.layers.map((l) =>
    h('tr', {}, h('td', {}, `${l.name} `, h('span', { class: 'muted' }, `(${l.className})`)), h('td', { class: 'mono' }, l.outputShape), h('td', { class: 'num' }, fmtInt(l.params))),
  );
  const total = (label: string, n: number, bytes: number, key: string): HTMLElement =>
    h('tr', { class: 'total', 'data-total': key }, h('th', { scope: 'row', colspan: 2 }, label), h('td', { class: 'num' }, fmtInt(n), h('span', { class: 'muted' }, ` (${readableBytes(bytes)})`)));
  return h(
    'section',
    { 'aria-labelledby': 'summary-h' },
    h('h2', { id: 'summary-h' }, 'Summary ', h('span', { class: 'muted small' }, 'as model.summary()')),
    h(
      'table',
      { class: 'summary' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Layer (type)'), h('th', { scope: 'col' }, 'Output Shape'), h('th', { scope: 'col', class: 'num' }, 'Param #'))),
      h('tbody', {}, ...rows),
      h(
        'tfoot',
        {},
        total('Total params', m.totalParams, m.totalBytes, 'total'),
        total('Trainable params', m.trainableParams, m.trainableBytes, 'trainable'),
        total('Non-trainable params', m.nonTrainableParams, m.nonTrainableBytes, 'non-trainable'),
      ),
    ),
    h('details', {}, h('summary', {}, 'As text'), h('pre', { class: 'mono' }, m.summaryText)),
  );
}

// ---------------------------------------------------------------------------------------------
// Layer cards

function weightSlot(w: WeightView): HTMLElement {
  const slot = h('div', { class: 'heatmap-slot', 'data-weight': w.id }, h('p', { class: 'muted small' }, 'loading values…'));
  pendingWeights.set(w.id, { slot, weight: w });
  return slot;
}

function weightTable(weights: WeightView[]): HTMLElement {
  return h(
    'table',
    { class: 'weights' },
    h('thead', {}, h('tr', {}, ...['', 'notation', 'shape', 'params', 'stored as'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      {},
      ...weights.map((w) =>
        h(
          'tr',
          { 'data-symbol': w.symbol ?? w.role },
          h('th', { scope: 'row', class: 'symbol' }, w.symbol ?? w.role),
          h('td', { class: 'notation' }, w.notation ?? ''),
          h('td', { class: 'mono' }, `(${w.shape.join(', ')})`),
          h('td', { class: 'num' }, fmtInt(w.params)),
          h('td', { class: 'muted mono small' }, w.name, w.trainable ? '' : ' (non-trainable)'),
        ),
      ),
    ),
  );
}

function weightFigures(weights: WeightView[]): HTMLElement {
  return h(
    'div',
    { class: 'figures' },
    ...weights.map((w) => h('div', { class: 'figure' }, h('h4', {}, w.symbol ?? w.role, ' ', h('span', { class: 'muted' }, w.notation ? `${w.notation} = ` : '', `(${w.shape.join(', ')})`)), weightSlot(w))),
  );
}

/** A layer's tensors; wrappers already list their inner layers' weights, so inner is only a fallback. */
function allWeights(l: LayerView): WeightView[] {
  return l.weights.length ? l.weights : (l.inner ?? []).flatMap(allWeights);
}

type TermShapes = Map<string, [letters: string, numbers: string]>;

/** Shapes of the terms that appear in this card's equations (x_t, h_{t-1}, Wx, Wx_i, bo…). */
function termShapes(l: LayerView, next: LayerView | undefined): TermShapes {
  const t: TermShapes = new Map();
  const ws = allWeights(l);
  const find = (role: string): WeightView | undefined => ws.find((w) => w.role === role);
  const kernel = find('kernel');
  const rec = find('recurrent_kernel');
  const D = kernel?.shape[0];
  const M = rec?.shape[0];
  const K = next ? allWeights(next).find((w) => w.role === 'kernel')?.shape.at(-1) : undefined;
  if (D !== undefined) t.set('x_t', ['D', String(D)]);
  if (M !== undefined) {
    for (const v of ['h_t', 'h_{t-1}', 'h_T', 'c_t', 'c_{t-1}', 'c̃_t', 'h̃_t', 'i_t', 'f_t', 'o_t', 'z_t', 'r_t']) t.set(v, ['M', String(M)]);
    if (D !== undefined) t.set('Wx', ['D×M', `${D}×${M}`]);
    t.set('Wh', ['M×M', `${M}×${M}`]);
    t.set('bh', ['M', String(M)]);
    for (const g of ['i', 'f', 'c', 'o', 'z', 'r', 'h']) {
      if (D !== undefined) t.set(`Wx_${g}`, ['D×M', `${D}×${M}`]);
      t.set(`Wh_${g}`, ['M×M', `${M}×${M}`]);
      t.set(`bh_${g}`, ['M', String(M)]);
      t.set(`bx_${g}`, ['M', String(M)]);
    }
  }
  if (K !== undefined) {
    t.set('y', ['K', String(K)]);
    if (M !== undefined) t.set('Wo', ['M×K', `${M}×${K}`]);
    t.set('bo', ['K', String(K)]);
  }
  return t;
}

/** The equation with the shape of each term written under it (letters, then this model's numbers). */
function annotate(eq: string, shapes: TermShapes): string {
  const under = [Array<string>(eq.length + 16).fill(' '), Array<string>(eq.length + 16).fill(' ')];
  const chars = Array.from(eq);
  let hit = false;
  // Token boundaries: anything that cannot continue a name.
  const re = /[A-Za-z_̃][A-Za-z0-9_̃{}\-]*/gu;
  for (const m of eq.matchAll(re)) {
    let name = m[0];
    let s = shapes.get(name);
    if (!s && name.endsWith(')')) s = shapes.get((name = name.slice(0, -1)));
    if (!s) continue;
    // Columns as displayed: combining marks (the tilde of c̃, h̃) take no column.
    const col = Array.from(eq.slice(0, m.index)).filter((ch) => !/\p{M}/u.test(ch)).length;
    for (let k = 0; k < 2; k++) {
      const text = s[k];
      let at = col;
      while (under[k].slice(Math.max(0, at - 1), at + 1).some((c) => c !== ' ')) at++;
      if (under[k].length < at + text.length + 1) under[k].push(...Array<string>(at + text.length + 1 - under[k].length).fill(' '));
      for (let j = 0; j < text.length; j++) under[k][at + j] = text[j];
    }
    hit = true;
  }
  if (!hit) return eq;
  return [chars.join(''), under[0].join('').trimEnd(), under[1].join('').trimEnd()].join('\n');
}

function layerCard(l: LayerView, next: LayerView | undefined): HTMLElement {
  const weights = allWeights(l);
  const outWeights = next ? allWeights(next) : [];
  const sections: (HTMLElement | null)[] = [];
  if (l.inner?.length) {
    for (const inner of l.inner) sections.push(h('h3', {}, `${inner.name} (${inner.className})`), weightTable(allWeights(inner)));
  } else {
    sections.push(weightTable(weights));
  }
  if (next) sections.push(h('h3', {}, 'Output: ', `${next.name} (${next.className})`), weightTable(outWeights));
  const arith = [l.arithmetic, next?.arithmetic].filter(Boolean) as string[];
  const eqs = [...(l.equations ?? []), ...(l.inner ?? []).flatMap((i) => i.equations ?? []), ...(next?.equations ?? [])];
  return h(
    'article',
    { class: 'card', 'data-layer': l.name, 'aria-label': `${l.name} (${l.className})` },
    h('h2', {}, icon(l.recurrent ? 'sync' : 'symbol-field'), ' ', l.name, ' ', h('span', { class: 'muted' }, `(${l.className})`), h('span', { class: 'badge' }, `${fmtInt(l.params + (next?.params ?? 0))} params`)),
    ...sections,
    arith.length ? h('div', { class: 'arith' }, h('h3', {}, 'Parameters'), ...arith.map((a) => h('p', { class: 'mono' }, a))) : null,
    eqs.length
      ? h(
          'div',
          { class: 'equations' },
          h('h3', {}, 'Equations ', h('span', { class: 'muted small' }, 'with the shape of each term under it')),
          h('pre', { class: 'mono', 'aria-label': eqs.join('; ') }, eqs.map((e) => annotate(e, termShapes(l, next))).join('\n\n')),
        )
      : null,
    model?.hasWeights ? h('details', { class: 'heatmaps', open: true }, h('summary', {}, 'Weights as heatmaps'), weightFigures([...weights, ...outWeights])) : null,
  );
}

function cards(m: ModelView): HTMLElement {
  const out: HTMLElement[] = [];
  const used = new Set<string>();
  m.layers.forEach((l, i) => {
    if (used.has(l.name) || !allWeights(l).length) return;
    let next: LayerView | undefined;
    if (l.recurrent) {
      const n = m.layers.slice(i + 1).find((x) => allWeights(x).length);
      if (n && !n.recurrent && /Dense|TimeDistributed/.test(n.className)) next = n;
    }
    if (next) used.add(next.name);
    out.push(layerCard(l, next));
  });
  return h('section', { class: 'cards', 'aria-label': 'Layers' }, ...out);
}

// ---------------------------------------------------------------------------------------------
// Forward pass

let pickedSources: ArraySource[] = state.pickedSources ?? [];
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
      post({ type: 'pickSource', purpose });
      return;
    }
    previous = sel.value;
    save(purpose === 'inputs' ? { inputKey: sel.value } : { expectedKey: sel.value });
    updateRandomFields();
  });
  return sel;
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

function updateRandomFields(): void {
  const sel = document.getElementById('src-inputs') as HTMLSelectElement | null;
  const box = document.getElementById('random-fields');
  if (sel && box) box.hidden = sel.value !== 'random';
}

function currentRequest(): RunRequest | undefined {
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

function forwardSection(m: ModelView, s: SettingsView): HTMLElement {
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
    numberField('seed', 'seed s', state.seed ?? s.defaultSeed, 0, (v) => save({ seed: v })),
    numberField('samples', 'N', state.samples ?? s.defaultSamples, 1, (v) => save({ samples: v })),
    openT ? numberField('timesteps', 'T', state.timesteps ?? s.defaultTimesteps, 1, (v) => save({ timesteps: v })) : null,
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

function setRunning(on: boolean, text?: string): void {
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

function resultView(r: RunResult): HTMLElement {
  const withExpected = !!r.verify;
  const head = ['sample', 'manual (ours)', ...(withExpected ? ['expected', 'max |Δ|', ''] : [])];
  const worstSample = r.verify?.outputs.find((o) => !o.pass)?.worst?.sample;
  const rows = r.rows.map((row) =>
    h(
      'tr',
      { class: row.sample === worstSample ? 'worst' : '', 'data-sample': row.sample },
      h('td', { class: 'num' }, row.sample),
      h('td', { class: 'mono' }, vec(row.manual)),
      withExpected ? h('td', { class: 'mono' }, vec(row.expected)) : null,
      withExpected ? h('td', { class: 'num mono' }, row.maxAbsDiff === undefined ? '—' : fmtNum(row.maxAbsDiff)) : null,
      withExpected ? h('td', { 'aria-label': row.pass ? 'pass' : 'fail' }, row.pass ? '✓' : '✗') : null,
    ),
  );
  const sampleInput = numberField('trace-sample', 'sample', r.request.traceSample, 0, (v) => {
    const s = Math.min(v, r.samples - 1);
    save({ traceSample: s });
    post({ type: 'trace', sample: s });
  });
  return h(
    'div',
    {},
    verdict(r),
    h('p', { class: 'muted small' }, `Inputs: ${r.inputsLabel} (${r.inputShape.join(' × ')})`, r.expectedLabel ? ` · expected: ${r.expectedLabel}` : '', ` · ${r.elapsedMs} ms`),
    h(
      'table',
      { class: 'samples' },
      h('caption', { class: 'muted small' }, r.rowsTruncated ? `First ${r.rows.length} of ${r.samples} samples (and the worst)` : `${r.samples} sample(s)`),
      h('thead', {}, h('tr', {}, ...head.map((t) => h('th', { scope: 'col' }, t)))),
      h('tbody', {}, ...rows),
    ),
    h('h3', {}, 'Hidden state hₜ over time'),
    h('div', { class: 'row' }, sampleInput, h('span', { class: 'muted small' }, `0 … ${r.samples - 1}; rows = units, columns = time steps t`)),
    h('div', { id: 'traces' }, ...traceFigures(r.traces)),
  );
}

function traceFigures(traces: TraceView[]): HTMLElement[] {
  if (!traces.length) return [h('p', { class: 'muted' }, 'No recurrent layer states to show.')];
  return traces.map((t) =>
    h('div', { class: 'figure' }, h('h4', {}, `${t.layer} (${t.className}${t.direction ? `, ${t.direction}` : ''}) — sample ${t.sample}`), heatmap(t.matrix, { symbol: 'h', maxWidth: 640 })),
  );
}

// ---------------------------------------------------------------------------------------------
// Whole panel

function toolbar(): HTMLElement {
  return h(
    'nav',
    { class: 'toolbar', 'aria-label': 'Actions' },
    button('Verify Predictions…', 'pass', () => {
      // With expected predictions chosen in the forward-pass section, verify exactly those;
      // otherwise the command finds sidecars or asks for the files.
      const req = currentRequest();
      if (req && req.expected.kind !== 'none') {
        post({ type: 'run', request: req });
        document.getElementById('fwd-h')?.scrollIntoView({ block: 'start' });
      } else post({ type: 'command', command: 'verify' });
    }),
    button('Export Report', 'export', () => post({ type: 'command', command: 'exportReport' })),
    button('Copy NumPy Replication', 'copy', () => post({ type: 'command', command: 'copyReplication' })),
    button('Reload', 'refresh', () => post({ type: 'command', command: 'reload' })),
  );
}

function render(m: ModelView, s: SettingsView): void {
  if (state.file !== m.file) save({ file: m.file, inputKey: undefined, expectedKey: undefined, traceSample: 0, pickedSources: [] });
  pickedSources = state.pickedSources ?? [];
  pendingWeights.clear();
  app.replaceChildren(header(m), toolbar(), legend(m), summaryTable(m), cards(m), forwardSection(m, s));
  // Ask for the values of every drawn tensor (the host subsamples big ones to at most 256 × 512).
  for (const id of pendingWeights.keys()) post({ type: 'weight', id });
  app.setAttribute('aria-busy', 'false');
  updateRandomFields();
  if (state.scrollY) window.scrollTo(0, state.scrollY);
}

function renderError(file: string, message: string, canReopen: boolean): void {
  app.replaceChildren(
    h(
      'section',
      { class: 'error-view', role: 'alert' },
      h('h1', {}, icon('error'), ' Cannot inspect this file'),
      h('p', { class: 'path muted' }, file),
      h('p', { class: 'error-message', id: 'error-message' }, message),
      h('p', {}, 'RNN Inspector reads Keras models and weights (.keras, .h5, .weights.h5), JSON weight dumps and TF.js model.json files.'),
      h(
        'div',
        { class: 'row' },
        canReopen ? button('Reopen With…', 'go-to-file', () => post({ type: 'command', command: 'reopenWith' }), { id: 'reopen', class: 'primary' }) : null,
        button('Try again', 'refresh', () => post({ type: 'command', command: 'reload' })),
      ),
    ),
  );
  app.setAttribute('aria-busy', 'false');
}

function onWeight(id: string, matrix: MatrixView | null): void {
  const p = pendingWeights.get(id);
  if (!p) return;
  pendingWeights.delete(id);
  const symbol = p.weight.symbol ?? p.weight.role;
  if (!matrix) {
    p.slot.replaceChildren(h('p', { class: 'muted small' }, 'values not available'));
  } else if (p.weight.blocks && p.weight.blocks.length > 1) {
    // LSTM / GRU: one heatmap per gate block, each with its own scale.
    p.slot.replaceChildren(
      h(
        'div',
        { class: 'gate-maps' },
        ...splitByGate(matrix, p.weight.blocks).map((g) =>
          h('div', { class: 'gate-map' }, h('div', { class: 'gate-title' }, `gate ${g.gate}`), heatmap(g.matrix, { symbol: `${symbol}[${g.gate}]`, maxWidth: 260 })),
        ),
      ),
    );
  } else {
    p.slot.replaceChildren(heatmap(matrix, { symbol }));
  }
}

window.addEventListener('message', (e: MessageEvent<HostToWebview>) => {
  const m = e.data;
  switch (m.type) {
    case 'loading':
      app.setAttribute('aria-busy', 'true');
      if (!model) app.replaceChildren(h('p', { class: 'muted' }, icon('loading codicon-modifier-spin'), ` Reading ${m.file}…`));
      return;
    case 'state':
      model = m.model;
      settings = m.settings;
      render(m.model, m.settings);
      return;
    case 'settings':
      settings = m.settings;
      if (model) render(model, m.settings);
      return;
    case 'error':
      model = undefined;
      renderError(m.file, m.message, m.canReopenWith);
      return;
    case 'running':
      setRunning(true, `Running the forward pass (${m.request.inputs.kind === 'random' ? `N = ${m.request.samples}` : m.request.inputs.label})…`);
      return;
    case 'runResult': {
      setRunning(false);
      document.getElementById('run-result')?.replaceChildren(resultView(m.result));
      return;
    }
    case 'runError':
      setRunning(false, m.message);
      return;
    case 'traces':
      document.getElementById('traces')?.replaceChildren(...traceFigures(m.traces));
      return;
    case 'weight':
      onWeight(m.id, m.matrix);
      return;
    case 'sourcePicked': {
      pickedSources = [...pickedSources.filter((p) => sourceKey(p) !== sourceKey(m.source)), m.source];
      save({ pickedSources, ...(m.purpose === 'inputs' ? { inputKey: sourceKey(m.source) } : { expectedKey: sourceKey(m.source) }) });
      if (model && settings) {
        const old = document.getElementById(`src-${m.purpose}`);
        const list = m.purpose === 'inputs' ? model.inputSources : model.expectedSources;
        old?.replaceWith(sourceSelect(m.purpose, list, sourceKey(m.source)));
        updateRandomFields();
      }
      return;
    }
  }
});

let scrollTimer: number | undefined;
window.addEventListener('scroll', () => {
  clearTimeout(scrollTimer);
  scrollTimer = window.setTimeout(() => save({ scrollY: window.scrollY }), 200);
});

post({ type: 'ready' });
