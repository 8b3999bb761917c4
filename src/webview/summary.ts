/**
 * The summary table: the rows and totals of model.summary() as the host's core renderer made them
 * (Layer (type) | Output Shape | Param # [| Connected to]), and the text exactly as Keras prints it.
 */
import type { ModelView } from '../shared/messages';
import { h } from './dom';

const TOTAL_KEYS: Record<string, string> = { 'Total params': 'total', 'Trainable params': 'trainable', 'Non-trainable params': 'non-trainable' };

export function summaryTable(m: ModelView): HTMLElement {
  const t = m.summary;
  const rows = t.rows.map((r) =>
    h(
      'tr',
      {},
      h('td', {}, `${r.name} `, h('span', { class: 'muted' }, `(${r.className})`)),
      h('td', { class: 'mono' }, r.outputShape),
      h('td', { class: 'num' }, r.params),
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
