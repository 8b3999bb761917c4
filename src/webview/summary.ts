/** The summary table: Layer (type) | Output Shape | Param #, the totals, and the text as Keras prints it. */
import type { ModelView } from '../shared/messages';
import { fmtInt, readableBytes } from '../shared/format';
import { h } from './dom';

export function summaryTable(m: ModelView): HTMLElement {
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
