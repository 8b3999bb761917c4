/**
 * The user's notation for a gradient: "dL/dWx" with "D×M" (and the gate blocks) for the weight a
 * Keras variable path belongs to, from summarize()'s weights. Used by the CLI and the panel.
 */
import type { Summary, SummaryLayer } from './shapes';

export interface GradientLabel {
  /** "dL/dWx", or "dL/d(role)" when the summary has no symbol for it. */
  symbol: string;
  notation: string;
  blocks?: { gate: string; columns: [number, number] }[];
}

export function gradientLabeller(s: Summary): (path: string) => GradientLabel {
  const entries: { prefix: string; role: string; symbol?: string; notation?: string; blocks?: GradientLabel['blocks'] }[] = [];
  const add = (l: SummaryLayer, prefix: string): void => {
    for (const w of l.weights) entries.push({ prefix, role: w.role, symbol: w.symbol, notation: w.notation, blocks: w.blocks });
    for (const i of l.inner ?? []) add(i, `${prefix}/${i.name}`);
  };
  for (const l of s.layers) add(l, l.name);
  return (path) => {
    const role = path.split('/').pop()!;
    const hit = entries.find((e) => e.role === role && e.symbol && (path.startsWith(`${e.prefix}/`) || path.includes(`/${e.prefix}/`)));
    return { symbol: hit?.symbol ? `dL/d${hit.symbol}` : `dL/d(${role})`, notation: hit?.notation ?? '', ...(hit?.blocks?.length ? { blocks: hit.blocks } : {}) };
  };
}
