/**
 * The architecture diagram: one node per layer (class, name, parameters, key settings), one per
 * model input and output, every edge labelled with the tensor's shape in the notebooks' letters
 * and this model's numbers ((N, T, D) = (N, 10, 3)). Laid out by @dagrejs/dagre (a maintained
 * layered-graph layout); drawn as SVG elements with createElementNS and textContent (never an
 * HTML string); colours are the theme's (panel.css); Tab / arrow keys move between nodes and
 * Enter or a click jumps to the layer's card.
 */
import type Dagre from '@dagrejs/dagre' with { 'resolution-mode': 'import' };
// dagre ships ES-module typings over a CommonJS build; esbuild bundles the CommonJS one.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dagre: typeof Dagre = require('@dagrejs/dagre');
import type { LayerView, ModelView } from '../shared/messages';
import { fmtInt } from '../shared/format';
import { h } from './dom';
import { jumpTo } from './summary';

const NS = 'http://www.w3.org/2000/svg';
const CHAR = 7.2; // px per character at the diagram's 12 px monospace-ish font
const LINE = 16;

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number> = {}, text?: string): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

/** Settings shown on the node itself (all of them are in its tooltip and its card). */
const KEY_SETTINGS = ['units', 'filters', 'kernel_size', 'activation', 'return_sequences', 'return_state', 'go_backwards', 'merge_mode', 'rate', 'n', 'mask_zero', 'output_dim', 'layer.units', 'layer.return_sequences'];

function keySettings(l: LayerView): string {
  return l.settings
    .filter(([k, v]) => KEY_SETTINGS.includes(k) && v !== 'False' && !(k.endsWith('activation') && v === "'linear'"))
    .map(([k, v]) => `${k.replace(/^layer\./, '')}=${v.replace(/^'(.*)'$/, '$1')}`)
    .slice(0, 3)
    .join(', ');
}

/** "(N, T, D) = (N, 10, 3)", or just "(N, 7)" when no letter stands for a number. */
export function shapeLabel(letters: string[] | undefined, numbers: (number | null)[] | undefined): string {
  const nums = ['N', ...(numbers ?? []).map((d) => (d === null ? 'None' : String(d)))];
  const let_ = letters && letters.length === nums.length ? letters : nums;
  const a = `(${let_.join(', ')})`;
  const b = `(${nums.join(', ')})`;
  return a === b ? b : `${a} = ${b}`;
}

interface NodeInfo {
  id: string;
  lines: string[];
  kind: 'input' | 'layer' | 'output';
  layer?: LayerView;
  tooltip: string;
}

export function diagram(m: ModelView): HTMLElement {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 34, edgesep: 12, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const nodes = new Map<string, NodeInfo>();
  const byName = new Map(m.layers.map((l) => [l.name, l]));
  const addNode = (n: NodeInfo): void => {
    nodes.set(n.id, n);
    const width = Math.max(...n.lines.map((t) => t.length)) * CHAR + 24;
    g.setNode(n.id, { width, height: n.lines.length * LINE + 12 });
  };
  for (const i of m.inputs) {
    if (!byName.has(i.name)) addNode({ id: `L:${i.name}`, kind: 'input', lines: ['Input', i.name], tooltip: `input ${i.name}` });
  }
  for (const l of m.layers) {
    const ks = keySettings(l);
    const isInput = m.inputs.some((i) => i.name === l.name);
    addNode({
      id: `L:${l.name}`,
      kind: isInput ? 'input' : 'layer',
      layer: l,
      lines: [l.className, l.name, ...(isInput ? [] : [`${fmtInt(l.params)} params`]), ...(ks ? [ks] : [])],
      tooltip: [`${l.name} (${l.className})`, `${fmtInt(l.params)} params`, ...l.settings.map(([k, v]) => `${k} = ${v}`)].join('\n'),
    });
  }
  // The tensor on each edge: its letters and numbers from the producing layer's outputs.
  const tensorOf = (name: string, t: number): string => {
    const l = byName.get(name);
    if (l) return shapeLabel(l.outputLetters?.[t], l.outputShapes[t]);
    const i = m.inputs.find((x) => x.name === name);
    return i ? shapeLabel(i.letters, i.shape.slice(1)) : '';
  };
  let k = 0;
  const edge = (from: string, to: string, label: string): void => {
    g.setEdge(from, to, { label, width: label.length * CHAR * 0.92 + 8, height: LINE, labelpos: 'c' }, `e${k++}`);
  };
  // A recurrent layer's further inputs are its initial states (h₀, then c₀ for an LSTM).
  for (const l of m.layers) {
    l.from.forEach((r, k) => {
      const state = l.recurrent && k > 0 ? `${k === 1 ? 'h₀' : k === 2 ? 'c₀' : `s${k}₀`} ` : '';
      if (nodes.has(`L:${r.layer}`)) edge(`L:${r.layer}`, `L:${l.name}`, state + tensorOf(r.layer, r.tensor));
    });
  }
  m.outputNames.forEach((name, i) => {
    const id = `O:${i}`;
    addNode({ id, kind: 'output', lines: [m.outputNames.length > 1 ? `output ${i + 1}` : 'output'], tooltip: `model output ${i + 1}: ${name}` });
    edge(`L:${name}`, id, tensorOf(name, 0));
  });
  dagre.layout(g);

  const gl = g.graph();
  const W = Math.ceil(gl.width ?? 100);
  const H = Math.ceil(gl.height ?? 100);
  const root = svg('svg', { class: 'diagram', viewBox: `0 0 ${W} ${H}`, width: W, height: H, role: 'group', 'aria-label': 'Architecture diagram: a node per layer, the tensor shape on every edge' });
  const defs = svg('defs');
  const marker = svg('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
  marker.append(svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }));
  defs.append(marker);
  root.append(defs);
  const edges = svg('g', { class: 'edges' });
  for (const e of g.edges()) {
    const d = g.edge(e) as { points: { x: number; y: number }[]; label: string; x: number; y: number; width: number };
    const pts = d.points.map((p) => `${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' L');
    const group = svg('g', { class: 'edge', 'data-from': e.v.slice(2), 'data-to': e.w.slice(2) });
    group.append(svg('path', { d: `M${pts}`, class: 'edge-line', 'marker-end': 'url(#arrow)' }));
    if (d.label) {
      group.append(svg('rect', { x: d.x - d.width / 2, y: d.y - LINE / 2 - 1, width: d.width, height: LINE + 2, rx: 3, class: 'edge-label-bg' }));
      group.append(svg('text', { x: d.x, y: d.y + 4, class: 'edge-label', 'text-anchor': 'middle' }, d.label));
    }
    edges.append(group);
  }
  root.append(edges);
  const order: SVGGElement[] = [];
  // Keyboard (and DOM) order follows the drawing: top to bottom, then left to right.
  const pos = (id: string): { x: number; y: number } => g.node(id) as { x: number; y: number };
  const ids = g.nodes().sort((a: string, b: string) => pos(a).y - pos(b).y || pos(a).x - pos(b).x);
  for (const id of ids) {
    const n = nodes.get(id)!;
    const p = g.node(id) as { x: number; y: number; width: number; height: number };
    const attrs: Record<string, string | number> = { class: `node ${n.kind}`, transform: `translate(${p.x - p.width / 2},${p.y - p.height / 2})`, 'data-node': id.slice(2) };
    const hasCard = !!n.layer && (n.layer.weights.length > 0 || (n.layer.inner ?? []).some((i) => i.weights.length > 0));
    const group = svg('g', attrs);
    group.setAttribute('tabindex', '0');
    group.setAttribute('role', hasCard ? 'link' : 'img');
    group.setAttribute('aria-label', n.lines.join(', '));
    group.append(svg('title', {}, n.tooltip));
    group.append(svg('rect', { width: p.width, height: p.height, rx: n.kind === 'layer' ? 4 : 12, class: 'node-box' }));
    n.lines.forEach((t, i) => group.append(svg('text', { x: p.width / 2, y: 6 + LINE * (i + 1) - 4, 'text-anchor': 'middle', class: i === 0 ? 'node-class' : i === 1 ? 'node-name' : 'node-extra' }, t)));
    if (hasCard) {
      group.addEventListener('click', () => jumpTo(null, n.layer!.name));
      group.classList.add('linked');
    }
    group.addEventListener('keydown', (ev) => {
      const at = order.indexOf(group);
      if ((ev.key === 'Enter' || ev.key === ' ') && hasCard) {
        ev.preventDefault();
        jumpTo(null, n.layer!.name);
      } else if (ev.key === 'ArrowDown' || ev.key === 'ArrowRight') {
        ev.preventDefault();
        order[Math.min(order.length - 1, at + 1)]?.focus();
      } else if (ev.key === 'ArrowUp' || ev.key === 'ArrowLeft') {
        ev.preventDefault();
        order[Math.max(0, at - 1)]?.focus();
      }
    });
    order.push(group);
    root.append(group);
  }
  return h(
    'section',
    { class: 'diagram-section', 'aria-labelledby': 'diagram-h' },
    h('h2', { id: 'diagram-h' }, 'Architecture ', h('span', { class: 'muted small' }, 'every edge shows the tensor’s shape; Enter or click on a layer opens its card')),
    h('div', { class: 'diagram-wrap' }, root as unknown as HTMLElement),
  );
}
