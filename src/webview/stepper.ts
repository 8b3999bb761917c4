/**
 * The step-through: for one sample and one recurrent layer, t = 1…T with a slider and Prev / Next
 * (←/→, Home/End on the slider), showing x_t, h_{t-1} (c_{t-1}), each gate's pre-activation and
 * value, c_t and h_t as numbers with their shapes, the way the notebooks print them. The values
 * are computed in the host by the core (layerSteps) when asked for.
 */
import type { LayerView, ModelView, StepsView } from '../shared/messages';
import { fmtNum } from '../shared/format';
import { button, h } from './dom';
import { host, panel, save } from './state';

const GATE_TITLE: Record<string, string> = { i: 'i_t (input gate)', f: 'f_t (forget gate)', c: 'c̃_t (candidate)', o: 'o_t (output gate)', z: 'z_t (update gate)', r: 'r_t (reset gate)', h: 'h̃_t (candidate)' };

/** A row vector as NumPy prints a (1, n) array: [[ 0.1234 -0.5678 …]] (at most 12 values). */
export function npRow(v: number[]): string {
  const shown = v.slice(0, 12).map((x) => {
    const s = Math.abs(x) >= 1e4 || (x !== 0 && Math.abs(x) < 1e-4) ? fmtNum(x) : x.toFixed(4);
    return x < 0 ? s : ` ${s}`;
  });
  return `[[${shown.join(' ')}${v.length > 12 ? ` … (${v.length - 12} more)` : ''}]]`;
}

export const steppable = (m: ModelView): LayerView[] => m.layers.filter((l) => l.recurrent && l.forwardSupported);

function stepTable(s: StepsView, k: number): HTMLElement {
  const st = s.steps[k];
  const M = s.units;
  const D = s.inputWidth;
  const dir = s.direction === 'backward' ? '←' : s.direction === 'forward' ? '→' : '';
  const prev = s.goBackwards ? 'h_{t+1}' : 'h_{t-1}';
  const cprev = s.goBackwards ? 'c_{t+1}' : 'c_{t-1}';
  const rows: [string, string, number[]][] = [
    ['x_t', `(1, ${D})`, st.x],
    [prev, `(1, ${M})`, st.hPrev],
  ];
  if (st.cPrev) rows.push([cprev, `(1, ${M})`, st.cPrev]);
  const gates = s.gates.length ? s.gates : ['h'];
  for (const g of gates) {
    const label = s.gates.length ? GATE_TITLE[g] ?? g : 'h_t';
    rows.push([`pre-activation of ${label.split(' ')[0]}`, `(1, ${M})`, st.pre[g] ?? []]);
    if (s.gates.length) rows.push([label, `(1, ${M})`, st.gates[g] ?? []]);
  }
  if (st.c) rows.push(['c_t', `(1, ${M})`, st.c]);
  rows.push([`h${dir}_t`, `(1, ${M})`, st.h]);
  return h(
    'table',
    { class: 'steps', 'aria-label': `step t = ${st.t}` },
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'term'), h('th', { scope: 'col' }, 'shape'), h('th', { scope: 'col' }, 'values'))),
    h('tbody', {}, ...rows.map(([name, shape, v]) => h('tr', { 'data-term': name }, h('th', { scope: 'row', class: 'mono' }, name), h('td', { class: 'mono muted' }, shape), h('td', { class: 'mono values' }, npRow(v))))),
  );
}

function stepperView(all: StepsView[]): HTMLElement {
  const T = all[0].steps.length;
  let k = Math.min(panel.state.stepIndex ?? 0, T - 1);
  const slider = h('input', { id: 'step-t', type: 'range', min: 1, max: T, step: 1, value: k + 1, 'aria-label': 'time step t' });
  const label = h('output', { id: 'step-label', for: 'step-t', class: 'mono' });
  const tables = h('div', { class: 'step-tables', 'aria-live': 'polite' });
  const show = (to: number): void => {
    k = Math.max(0, Math.min(T - 1, to));
    slider.value = String(k + 1);
    const t = all[0].steps[k].t;
    label.textContent = `step ${k + 1} of ${T} (t = ${t})`;
    tables.replaceChildren(...all.map((s) => h('div', { class: 'step-half' }, s.direction ? h('h4', {}, s.direction === 'forward' ? 'forward →' : 'backward ← (reads t = T … 1)') : null, stepTable(s, k))));
    save({ stepIndex: k });
  };
  slider.addEventListener('input', () => show(Number(slider.value) - 1));
  const prev = button('Prev', 'chevron-left', () => show(k - 1), { id: 'step-prev', 'aria-label': 'previous time step' });
  const next = button('Next', 'chevron-right', () => show(k + 1), { id: 'step-next', 'aria-label': 'next time step' });
  const box = h('div', { class: 'stepper' }, h('div', { class: 'row' }, prev, slider, next, label), tables);
  box.addEventListener('keydown', (e) => {
    if (e.target === slider) return; // the slider handles its own arrows
    if (e.key === 'ArrowRight') show(k + 1);
    else if (e.key === 'ArrowLeft') show(k - 1);
    else if (e.key === 'Home') show(0);
    else if (e.key === 'End') show(T - 1);
    else return;
    e.preventDefault();
  });
  show(k);
  return box;
}

/** The step-through section for the run's trace sample; the layer is chosen in a drop-down. */
export function stepThrough(m: ModelView, sample: number): HTMLElement | null {
  const layers = steppable(m);
  if (!layers.length) return null;
  const chosen = layers.find((l) => l.name === panel.state.stepLayer) ?? layers[0];
  const sel = h('select', { id: 'step-layer', 'aria-label': 'Layer to step through' });
  for (const l of layers) sel.append(h('option', { value: l.name }, `${l.name} (${l.className})`));
  sel.value = chosen.name;
  const body = h('div', { id: 'step-body' }, h('p', { class: 'muted small' }, 'computing the steps…'));
  const load = (): void => {
    save({ stepLayer: sel.value });
    host.request<{ type: 'steps'; steps: StepsView[]; error?: string }>({ type: 'steps', layer: sel.value, sample }).then(
      (r) => body.replaceChildren(r.error || !r.steps.length ? h('p', { class: 'error-text' }, r.error ?? 'no steps') : stepperView(r.steps)),
      (e: Error) => body.replaceChildren(h('p', { class: 'error-text' }, e.message)),
    );
  };
  sel.addEventListener('change', load);
  load();
  return h(
    'div',
    { class: 'step-through', id: 'step-through' },
    h('h3', {}, `Step through sample ${sample}`, h('span', { class: 'muted small' }, ' the loop of the notebooks, one t at a time')),
    h('div', { class: 'row' }, h('label', { class: 'field', for: 'step-layer' }, h('span', {}, 'layer'), sel)),
    body,
  );
}
