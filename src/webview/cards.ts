/**
 * One card per layer with weights: the weight table in the user's notation, the parameter
 * arithmetic, the equations with the shape of each term under them, and the weights as heatmaps.
 */
import type { LayerView, MatrixView, ModelView, WeightView } from '../shared/messages';
import { fmtInt } from '../shared/format';
import { h, icon } from './dom';
import { heatmap, splitByGate } from './heatmap';
import { host, panel } from './state';

/**
 * Heatmaps are asked for when they come near the viewport (and their "Weights as heatmaps" is
 * open), never for the first paint: the host reads the weight values on the first such request.
 */
const nearView =
  typeof IntersectionObserver === 'function'
    ? new IntersectionObserver(
        (entries) => {
          for (const e of entries) {
            if (!e.isIntersecting) continue;
            nearView?.unobserve(e.target);
            (e.target as HTMLElement & { load?: () => void }).load?.();
          }
        },
        { rootMargin: '100% 0px' } // a screen ahead: drawn by the time one scrolls there,
      )
    : undefined;

/**
 * Values already received, per model shown: a redraw of the same model (a theme change) draws them
 * at once, so the page keeps its height and its scroll position; a reload brings a new ModelView.
 */
const received = new WeakMap<ModelView, Map<string, { matrix: MatrixView | null; error?: string }>>();

/** A place for a weight's heatmap; its values are asked from the host (downsampled there to ≤ 256 × 512 cells). */
function weightSlot(w: WeightView): HTMLElement {
  const slot: HTMLElement & { load?: () => void } = h('div', { class: 'heatmap-slot', 'data-weight': w.id, 'data-state': 'waiting' }, h('p', { class: 'muted small' }, 'values are read when this comes into view'));
  const model = panel.model;
  const known = model ? received.get(model) : undefined;
  const got = known?.get(w.id);
  if (got) {
    drawWeight(slot, w, got.matrix, got.error);
    return slot;
  }
  const keep = (r: { matrix: MatrixView | null; error?: string }): void => {
    if (!model) return;
    const m = received.get(model) ?? new Map();
    m.set(w.id, r);
    received.set(model, m);
  };
  slot.load = () => {
    slot.load = undefined;
    slot.dataset.state = 'loading';
    slot.replaceChildren(h('p', { class: 'muted small' }, 'reading values…'));
    host.request<{ type: 'weight'; id: string; matrix: MatrixView | null; error?: string }>({ type: 'weight', id: w.id }).then(
      (r) => {
        if (r.matrix) keep({ matrix: r.matrix });
        drawWeight(slot, w, r.matrix, r.error);
      },
      (e: unknown) => drawWeight(slot, w, null, String(e)),
    );
  };
  if (nearView) nearView.observe(slot);
  else queueMicrotask(() => slot.load?.());
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

/** The core's shapes of this card's equation terms (x_t, h⁽¹⁾_{t-1}, Wx⁽²⁾_i, [h→_T, h←_1]…). */
function termShapes(l: LayerView): TermShapes {
  return new Map(Object.entries(l.terms ?? {}).map(([k, v]) => [k, [v.letters, v.numbers]]));
}

/** Characters that continue a term's name (so "Wx" inside "Wx_i" or "Wx⁽¹⁾" is not a match). */
const CONT = /[\p{L}\p{N}_{⁽⁾⁰-⁹\u0303→←]/u;

/**
 * The equation with the shape of each term written under it (letters, then this model's numbers).
 * Terms are the core's own keys, found at name boundaries, longest first: nothing is guessed.
 */
export function annotate(eq: string, shapes: TermShapes): string {
  const keys = [...shapes.keys()].sort((x, y) => y.length - x.length);
  const under = [Array<string>(eq.length + 16).fill(' '), Array<string>(eq.length + 16).fill(' ')];
  let hit = false;
  let i = 0;
  while (i < eq.length) {
    const prev = i > 0 ? eq[i - 1] : ' ';
    const key = CONT.test(prev) && !'[('.includes(eq[i]) ? undefined : keys.find((k) => eq.startsWith(k, i) && !CONT.test(eq[i + k.length] ?? ' '));
    if (!key) {
      i++;
      continue;
    }
    const s = shapes.get(key)!;
    // Columns as displayed: combining marks (the tilde of c̃, h̃) take no column.
    const col = Array.from(eq.slice(0, i)).filter((ch) => !/\p{M}/u.test(ch)).length;
    for (let k = 0; k < 2; k++) {
      const text = Array.from(s[k]);
      let at = col;
      while (under[k].slice(Math.max(0, at - 1), at + text.length + 1).some((c) => c !== ' ')) at++;
      if (under[k].length < at + text.length + 1) under[k].push(...Array<string>(at + text.length + 1 - under[k].length).fill(' '));
      for (let j = 0; j < text.length; j++) under[k][at + j] = text[j];
    }
    hit = true;
    i += key.length;
  }
  if (!hit) return eq;
  return [eq, under[0].join('').trimEnd(), under[1].join('').trimEnd()].join('\n');
}

function settingsList(l: LayerView): HTMLElement | null {
  if (!l.settings.length) return null;
  return h(
    'details',
    { class: 'settings' },
    h('summary', {}, 'Settings ', h('span', { class: 'muted small' }, 'as get_config() has them')),
    h('dl', { class: 'settings-list mono small' }, ...l.settings.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)])),
  );
}

function layerCard(l: LayerView): HTMLElement {
  const weights = allWeights(l);
  const eqs = l.equations ?? [];
  const shapes = termShapes(l);
  return h(
    'article',
    { class: 'card', id: cardId(l.name), tabindex: '-1', 'data-layer': l.name, 'aria-label': `${l.name} (${l.className})` },
    h('h2', {}, icon(l.recurrent ? 'sync' : 'symbol-field'), ' ', l.name, ' ', h('span', { class: 'muted' }, `(${l.className})`), h('span', { class: 'badge', 'data-params': String(l.params) }, `${fmtInt(l.params)} params`)),
    weightTable(weights),
    l.arithmetic ? h('div', { class: 'arith' }, h('h3', {}, 'Parameters'), h('p', { class: 'mono' }, l.arithmetic)) : null,
    eqs.length
      ? h(
          'div',
          { class: 'equations' },
          h('h3', {}, 'Equations ', h('span', { class: 'muted small' }, 'with the shape of each term under it')),
          h('pre', { class: 'mono', 'aria-label': eqs.join('; ') }, eqs.map((e) => annotate(e, shapes)).join('\n\n')),
        )
      : null,
    settingsList(l),
    // Open by default; a closed one's heatmaps are not rendered, so never in view, so never asked for.
    panel.model?.hasWeights ? h('details', { class: 'heatmaps', open: true }, h('summary', {}, 'Weights as heatmaps'), weightFigures(weights)) : null,
  );
}

/** The id of a layer's card (the diagram and the summary rows link to it). */
export const cardId = (name: string): string => `card-${name.replace(/[^A-Za-z0-9_-]/g, (c) => `-${c.charCodeAt(0)}-`)}`;

export function cards(m: ModelView): HTMLElement {
  return h('section', { class: 'cards', 'aria-label': 'Layers' }, ...m.layers.filter((l) => allWeights(l).length).map(layerCard));
}

function drawWeight(slot: HTMLElement, weight: WeightView, matrix: MatrixView | null, error?: string): void {
  const symbol = weight.symbol ?? weight.role;
  slot.dataset.state = matrix ? 'drawn' : 'unavailable';
  if (!matrix) {
    slot.replaceChildren(h('p', { class: error ? 'error-text small' : 'muted small' }, error ? `values could not be read: ${error}` : 'values not available'));
  } else if (weight.blocks && weight.blocks.length > 1) {
    // LSTM / GRU: one heatmap per gate block, all on the tensor's one colour scale.
    const maxAbs = matrix.values.reduce((a, v) => (Math.abs(v) > a ? Math.abs(v) : a), 0) || 1;
    slot.replaceChildren(
      h(
        'div',
        { class: 'gate-maps' },
        ...splitByGate(matrix, weight.blocks).map((g) =>
          h('div', { class: 'gate-map' }, h('div', { class: 'gate-title' }, `gate ${g.gate}`), heatmap(g.matrix, { symbol: `${symbol}[${g.gate}]`, maxWidth: 260, maxAbs })),
        ),
      ),
    );
  } else {
    slot.replaceChildren(heatmap(matrix, { symbol }));
  }
}
