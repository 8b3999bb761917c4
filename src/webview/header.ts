/** The panel's header (file, format, Keras version, notes) and the N/T/D/M/K legend. */
import type { ModelView } from '../shared/messages';
import { fmtInt, readableBytes } from '../shared/format';
import { h, icon } from './dom';

const dimText = (d: number | null | number[]): string =>
  Array.isArray(d) ? (d.length ? d.join(', ') : '—') : d === null ? 'None' : String(d);

export function header(m: ModelView): HTMLElement {
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

export function legend(m: ModelView): HTMLElement {
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
