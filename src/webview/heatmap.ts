/**
 * A heatmap of a matrix on a <canvas>: diverging colours around zero, the value of the cell under
 * the pointer (or under the keyboard cursor: arrow keys) shown in a live region below.
 */
import type { MatrixView } from '../shared/messages';
import { fmtNum } from '../shared/format';
import { h } from './dom';

export interface HeatmapOptions {
  /** Name shown in the value read-out, e.g. "Wx". */
  symbol: string;
  /** Column boundaries to mark (gate blocks). */
  blocks?: { gate: string; columns: [number, number] }[];
  maxWidth?: number;
  /** Bound on the drawn height (cells stay square, so a tall matrix gets smaller cells). */
  maxHeight?: number;
  /** The colour scale's |max| when several heatmaps share one (the gates of one tensor). */
  maxAbs?: number;
}

function rgb(css: string, fallback: [number, number, number]): [number, number, number] {
  const m = css.trim().match(/^#([0-9a-f]{6})/i);
  if (m) return [0, 2, 4].map((i) => parseInt(m[1].slice(i, i + 2), 16)) as [number, number, number];
  const r = css.match(/rgba?\((\d+),\s*(\d+),\s*(\d+)/);
  return r ? [Number(r[1]), Number(r[2]), Number(r[3])] : fallback;
}

function palette(): { neg: number[]; pos: number[]; mid: number[]; focus: string } {
  const cs = getComputedStyle(document.body);
  return {
    mid: rgb(cs.getPropertyValue('--vscode-editor-background'), [30, 30, 30]),
    neg: rgb(cs.getPropertyValue('--vscode-charts-blue') || '#3794ff', [55, 148, 255]),
    pos: rgb(cs.getPropertyValue('--vscode-charts-red') || '#f14c4c', [241, 76, 76]),
    focus: cs.getPropertyValue('--vscode-focusBorder').trim() || '#007fd4',
  };
}

export function heatmap(m: MatrixView, opts: HeatmapOptions): HTMLElement {
  const maxWidth = opts.maxWidth ?? 560;
  const maxHeight = opts.maxHeight ?? 360;
  // Square cells, bounded in width and height; a small matrix gets cells big enough for its numbers.
  const small = m.rows * m.cols <= 64;
  const cell = Math.max(1, Math.min(small ? 40 : 28, Math.floor(maxWidth / Math.max(1, m.cols)), Math.floor(maxHeight / Math.max(1, m.rows))));
  const cellH = m.rows === 1 ? Math.max(cell, 14) : cell;
  // A small matrix reads better as numbers: print them inside its cells.
  const showNumbers = small && cell >= 34 && cellH >= 16;
  const width = m.cols * cell;
  const height = m.rows * cellH;
  const canvas = h('canvas', {
    class: 'heatmap',
    tabindex: 0,
    role: 'img',
    'aria-label': `${opts.symbol}: ${m.fullRows} × ${m.fullCols} heatmap${(m.rowBlock ?? 1) > 1 || (m.colBlock ?? 1) > 1 ? `, downsampled to ${m.rows} × ${m.cols} block means` : ''}; use the arrow keys to read values`,
  });
  const dpr = window.devicePixelRatio || 1;
  canvas.width = Math.ceil(width * dpr);
  canvas.height = Math.ceil(height * dpr);
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  const readout = h('output', { class: 'readout', 'aria-live': 'polite' }, ' ');
  const maxAbs = opts.maxAbs ?? (m.values.reduce((a, v) => (Math.abs(v) > a ? Math.abs(v) : a), 0) || 1);
  const scale = h('span', { class: 'scale muted' }, `−${fmtNum(maxAbs)} `, h('span', { class: 'scale-bar' }), ` +${fmtNum(maxAbs)}`);
  const rb = m.rowBlock ?? 1;
  const cb = m.colBlock ?? 1;
  const sub = rb > 1 || cb > 1 ? h('span', { class: 'muted downsampled' }, ` downsampled: ${m.fullRows} × ${m.fullCols} values drawn as ${m.rows} × ${m.cols} cells, each the mean of a block of up to ${rb} × ${cb}`) : null;
  let cursor: [number, number] | null = null;
  const colIndex = (c: number): number => m.colStarts?.[c] ?? c * cb;
  const colEnd = (c: number): number => (c + 1 < m.cols ? colIndex(c + 1) : m.fullCols);
  const rowIndex = (r: number): number => r * rb;

  function draw(): void {
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const p = palette();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.font = `${Math.min(11, Math.floor(cell / 3.6))}px ${getComputedStyle(document.body).getPropertyValue('--vscode-editor-font-family') || 'monospace'}`;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    for (let r = 0; r < m.rows; r++) {
      for (let c = 0; c < m.cols; c++) {
        const v = m.values[r * m.cols + c];
        const t = Number.isFinite(v) ? Math.min(1, Math.abs(v) / maxAbs) : 1;
        const to = v < 0 ? p.neg : p.pos;
        const col = p.mid.map((x, i) => Math.round(x + (to[i] - x) * t));
        ctx.fillStyle = `rgb(${col[0]},${col[1]},${col[2]})`;
        ctx.fillRect(c * cell, r * cellH, cell, cellH);
        if (showNumbers) {
          // The number itself, dark or light for contrast with the cell's colour.
          const lum = 0.2126 * col[0] + 0.7152 * col[1] + 0.0722 * col[2];
          ctx.fillStyle = lum > 140 ? '#000' : '#fff';
          ctx.fillText(Number.isFinite(v) ? v.toFixed(2) : String(v), c * cell + cell / 2, r * cellH + cellH / 2);
        }
      }
    }
    if (opts.blocks && m.cols === m.fullCols) {
      ctx.strokeStyle = getComputedStyle(document.body).getPropertyValue('--vscode-foreground') || '#ccc';
      ctx.lineWidth = 1;
      for (const b of opts.blocks.slice(1)) {
        const x = b.columns[0] * cell + 0.5;
        ctx.beginPath();
        ctx.moveTo(x, 0);
        ctx.lineTo(x, height);
        ctx.stroke();
      }
    }
    if (cursor) {
      ctx.strokeStyle = p.focus;
      ctx.lineWidth = 2;
      ctx.strokeRect(cursor[1] * cell + 1, cursor[0] * cellH + 1, cell - 2, cellH - 2);
    }
  }

  function show(r: number, c: number): void {
    const v = m.values[r * m.cols + c];
    const gate = opts.blocks?.find((b) => colIndex(c) >= b.columns[0] && colIndex(c) < b.columns[1]);
    const span = (a: number, b: number): string => (b - a > 1 ? `${a}:${b}` : String(a));
    const cols = span(colIndex(c), colEnd(c));
    const rows = span(rowIndex(r), Math.min(m.fullRows, rowIndex(r) + rb));
    const idx = m.fullRows === 1 ? `[${cols}]` : `[${rows}, ${cols}]`;
    const mean = rb > 1 || cb > 1 ? 'mean of ' : '';
    readout.textContent = `${mean}${opts.symbol}${idx} = ${fmtNum(v)}${gate ? `  (gate ${gate.gate})` : ''}`;
  }

  canvas.addEventListener('mousemove', (e) => {
    const rect = canvas.getBoundingClientRect();
    const c = Math.min(m.cols - 1, Math.max(0, Math.floor((e.clientX - rect.left) / cell)));
    const r = Math.min(m.rows - 1, Math.max(0, Math.floor((e.clientY - rect.top) / cellH)));
    canvas.title = '';
    show(r, c);
  });
  canvas.addEventListener('focus', () => {
    cursor = cursor ?? [0, 0];
    draw();
    show(cursor[0], cursor[1]);
  });
  canvas.addEventListener('blur', () => {
    cursor = null;
    draw();
  });
  canvas.addEventListener('keydown', (e) => {
    if (!cursor) return;
    const moves: Record<string, [number, number]> = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    const d = moves[e.key];
    if (!d) return;
    e.preventDefault();
    cursor = [Math.min(m.rows - 1, Math.max(0, cursor[0] + d[0])), Math.min(m.cols - 1, Math.max(0, cursor[1] + d[1]))];
    draw();
    show(cursor[0], cursor[1]);
  });
  draw();
  const labels =
    m.rowLabel || m.colLabel
      ? h('div', { class: 'axis muted' }, m.rowLabel ? `rows: ${m.rowLabel} (${m.fullRows})` : '', m.rowLabel && m.colLabel ? ' · ' : '', m.colLabel ? `columns: ${m.colLabel} (${m.fullCols})` : '')
      : null;
  const gates = opts.blocks?.length
    ? h('div', { class: 'gates muted' }, 'gate blocks: ', opts.blocks.map((b) => `${b.gate} [${b.columns[0]}:${b.columns[1]})`).join(' · '))
    : null;
  return h('figure', { class: 'heatmap-figure' }, h('div', { class: 'canvas-wrap' }, canvas), labels, gates, h('div', { class: 'heatmap-foot' }, readout, scale, sub));
}

/**
 * One matrix per gate block (LSTM i, f, c, o; GRU z, r, h): the columns of each block, so every gate
 * gets its own heatmap and colour scale. Works on subsampled views too (columns are mapped back to
 * the full matrix to decide which block they belong to).
 */
export function splitByGate(m: MatrixView, blocks: { gate: string; columns: [number, number] }[]): { gate: string; matrix: MatrixView }[] {
  const colIndex = (c: number): number => m.colStarts?.[c] ?? c * (m.colBlock ?? 1);
  return blocks.map((b) => {
    const cols: number[] = [];
    for (let c = 0; c < m.cols; c++) if (colIndex(c) >= b.columns[0] && colIndex(c) < b.columns[1]) cols.push(c);
    const values: number[] = [];
    for (let r = 0; r < m.rows; r++) for (const c of cols) values.push(m.values[r * m.cols + c]);
    // A gate block is M wide: "4M" / "3M" columns become "M".
    const colLabel = m.colLabel.replace(/^\d+M$/, 'M');
    const colStarts = cols.map((c) => colIndex(c) - b.columns[0]);
    return { gate: b.gate, matrix: { ...m, cols: cols.length, fullCols: b.columns[1] - b.columns[0], values, colLabel, colStarts } };
  });
}
