/**
 * The panel's sections, in page order. A section is one file under src/webview/ that registers
 * itself here with an order number; main.ts imports it once and draws every registered section
 * for each model. Built-in orders: header 10, toolbar 20, legend 30, diagram 40, summary 50,
 * layer cards 60, forward pass 70 (leave gaps: 45 sits between the diagram and the summary).
 */
import type { ModelView, SettingsView } from '../shared/messages';

export interface Section {
  id: string;
  order: number;
  /** The section's element for this model, or null to leave it out. */
  render(m: ModelView, s: SettingsView): HTMLElement | null;
  /** Runs after every section is in the document (focus, scroll, fields that read the DOM). */
  mounted?(m: ModelView): void;
}

const sections: Section[] = [];

export function registerSection(s: Section): void {
  const at = sections.findIndex((x) => x.id === s.id);
  if (at >= 0) sections.splice(at, 1);
  sections.push(s);
  sections.sort((a, b) => a.order - b.order);
}

export function renderSections(m: ModelView, s: SettingsView): HTMLElement[] {
  return sections.map((x) => x.render(m, s)).filter((e): e is HTMLElement => e !== null);
}

export function mountedSections(m: ModelView): void {
  for (const x of sections) x.mounted?.(m);
}
