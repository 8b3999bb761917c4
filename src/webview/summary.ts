/**
 * The summary table: the rows and totals of model.summary() as the host's core renderer made them
 * (Layer (type) | Output Shape | Param # [| Connected to]), and the text exactly as Keras prints it.
 */
import type { ModelView } from '../shared/messages';
import { h } from './dom';
import { cardId } from './cards';

/** Scrolls to a layer's card and focuses it (summary rows and diagram nodes). */
export function jumpTo(e: Event | null, name: string): void {
  e?.preventDefault();
  const card = document.getElementById(cardId(name));
  if (!card) return;
  card.scrollIntoView({ block: 'start' });
  card.focus({ preventScroll: true });
}

const TOTAL_KEYS: Record<string, string> = { 'Total params': 'total', 'Trainable params': 'trainable', 'Non-trainable params': 'non-trainable' };

export function summaryTable(m: ModelView): HTMLElement {
  const t = m.summary;
  const byName = new Map(m.layers.map((l) => [l.name, l]));
  const hasCard = (l: ModelView['layers'][number] | undefined): boolean => !!l && (l.weights.length > 0 || (l.inner ?? []).some((i) => i.weights.length > 0));
  const rows = t.rows.map((r) =>
    h(
      'tr',
      { 'data-layer': r.name },
      h('td', {}, hasCard(byName.get(r.name)) ? h('a', { href: `#${cardId(r.name)}`, onclick: (e: Event) => jumpTo(e, r.name) }, r.name) : r.name, ' ', h('span', { class: 'muted' }, `(${r.className})`)),
      h('td', { class: 'mono' }, r.outputShape),
      h('td', { class: 'num', 'data-params': String(byName.get(r.name)?.params ?? '') }, r.params),
      ...(t.connected ? [h('td', { class: 'mono' }, r.connectedTo ?? '-')] : []),
    ),
  );
  const totals = t.totals.map((x) => {
    const [count, ...bytes] = x.text.split(' ');
    return h(
      'tr',
      { class: 'total', 'data-total': TOTAL_KEYS[x.label] ?? x.label },
      h('th', { scope: 'row', colspan: 2 }, x.label),
      h('td', { class: 'num' }, count, h('span', { class: 'muted' }, ` ${bytes.join(' ')}`)),
      ...(t.connected ? [h('td', {})] : []),
    );
  });
  return h(
    'section',
    { 'aria-labelledby': 'summary-h' },
    h('h2', { id: 'summary-h' }, 'Summary ', h('span', { class: 'muted small' }, 'as model.summary()')),
    h(
      'table',
      { class: 'summary' },
      h('thead', {}, h('tr', {}, ...t.header.map((name, i) => h('th', { scope: 'col', ...(i === 2 ? { class: 'num' } : {}) }, name)))),
      h('tbody', {}, ...rows),
      h('tfoot', {}, ...totals),
    ),
    h('details', {}, h('summary', {}, 'As text'), h('pre', { class: 'mono' }, m.summaryText)),
  );
}
