/** The summary table: Layer (type) | Output Shape | Param #, the totals, and the text as Keras prints it. */
import type { ModelView } from '../shared/messages';
import { fmtInt, readableBytes } from '../shared/format';
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

export function summaryTable(m: ModelView): HTMLElement {
  const hasCard = (l: ModelView['layers'][number]): boolean => l.weights.length > 0 || (l.inner ?? []).some((i) => i.weights.length > 0);
  const rows = m.layers.map((l) =>
    h(
      'tr',
      { 'data-layer': l.name },
      h('td', {}, hasCard(l) ? h('a', { href: `#${cardId(l.name)}`, onclick: (e: Event) => jumpTo(e, l.name) }, l.name) : l.name, ' ', h('span', { class: 'muted' }, `(${l.className})`)),
      h('td', { class: 'mono' }, l.outputShape),
      h('td', { class: 'num', 'data-params': String(l.params) }, fmtInt(l.params)),
    ),
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
