/**
 * One card per layer with weights: the weight table in the user's notation, the parameter
 * arithmetic, the equations with the shape of each term under them, and the weights as heatmaps.
 */
import type { LayerView, MatrixView, ModelView, WeightView } from '../shared/messages';
import { fmtInt } from '../shared/format';
import { h, icon } from './dom';
import { heatmap, splitByGate } from './heatmap';
import { host, panel } from './state';

/** A place for a weight's heatmap; its values are asked from the host (subsampled to ≤ 256 × 512). */
function weightSlot(w: WeightView): HTMLElement {
  const slot = h('div', { class: 'heatmap-slot', 'data-weight': w.id }, h('p', { class: 'muted small' }, 'loading values…'));
  host.request<{ type: 'weight'; id: string; matrix: MatrixView | null }>({ type: 'weight', id: w.id }).then(
    (r) => drawWeight(slot, w, r.matrix),
    () => drawWeight(slot, w, null),
  );
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
    panel.model?.hasWeights ? h('details', { class: 'heatmaps', open: true }, h('summary', {}, 'Weights as heatmaps'), weightFigures([...weights, ...outWeights])) : null,
  );
}

export function cards(m: ModelView): HTMLElement {
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

function drawWeight(slot: HTMLElement, weight: WeightView, matrix: MatrixView | null): void {
  const symbol = weight.symbol ?? weight.role;
  if (!matrix) {
    slot.replaceChildren(h('p', { class: 'muted small' }, 'values not available'));
  } else if (weight.blocks && weight.blocks.length > 1) {
    // LSTM / GRU: one heatmap per gate block, each with its own scale.
    slot.replaceChildren(
      h(
        'div',
        { class: 'gate-maps' },
        ...splitByGate(matrix, weight.blocks).map((g) =>
          h('div', { class: 'gate-map' }, h('div', { class: 'gate-title' }, `gate ${g.gate}`), heatmap(g.matrix, { symbol: `${symbol}[${g.gate}]`, maxWidth: 260 })),
        ),
      ),
    );
  } else {
    slot.replaceChildren(heatmap(matrix, { symbol }));
  }
}
