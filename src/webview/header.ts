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

/** Every letter the notation uses, with its value in this model and what it stands for. */
export function legend(m: ModelView): HTMLElement {
  return h(
    'section',
    { class: 'legend', 'aria-label': 'Letters of the notation' },
    ...m.legend.map((l) =>
      h(
        'div',
        { class: 'dim', 'data-dim': l.letter },
        h('span', { class: 'dim-key' }, l.letter),
        h('span', { class: 'dim-value', 'data-value': l.letter }, l.letter === 'N' ? samplesText() : dimText(l.value)),
        h('span', { class: 'dim-what muted' }, l.meaning),
      ),
    ),
  );
}

let samples: number | null = null;
const samplesText = (): string => (samples === null ? 'None' : String(samples));

/** N follows the chosen inputs (the random N, or the first axis of the chosen array file after a run). */
export function setSamples(n: number | null): void {
  samples = n;
  const el = document.querySelector('.dim-value[data-value="N"]');
  if (el) el.textContent = samplesText();
}
