/**
 * The part of the Python library `rich` (15.x) that Keras 3's model.summary() goes through: a
 * Table with fixed-width columns, `width=line_length`, `show_lines=True` and the HEAVY_HEAD box,
 * cells word-wrapped with overflow "ellipsis", printed on a console that is not a terminal.
 * Each function names the rich code it follows, so the layout is the same to the character.
 */

/** Terminal cells of one character: East Asian wide and fullwidth forms take two (rich's cell_len). */
function charCells(cp: number): number {
  if (cp < 0x1100) return cp === 0 || (cp >= 0x300 && cp < 0x370) ? 0 : 1;
  const wide =
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd);
  return wide ? 2 : 1;
}

export function cellLen(text: string): number {
  let n = 0;
  for (const ch of text) n += charCells(ch.codePointAt(0) ?? 0);
  return n;
}

/** rich.cells.set_cell_size: crop or pad with spaces to exactly `total` cells. */
function setCellSize(text: string, total: number): string {
  let out = '';
  let n = 0;
  for (const ch of text) {
    const c = charCells(ch.codePointAt(0) ?? 0);
    if (n + c > total) break;
    out += ch;
    n += c;
  }
  return out + ' '.repeat(Math.max(0, total - n));
}

/** rich.cells.chop_cells: split a word into pieces of at most `width` cells. */
function chopCells(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  let n = 0;
  for (const ch of text) {
    const c = charCells(ch.codePointAt(0) ?? 0);
    if (n + c > width) {
      lines.push(line);
      line = '';
      n = 0;
    }
    line += ch;
    n += c;
  }
  if (n) lines.push(line);
  return lines;
}

/** rich._wrap.divide_line: offsets (in code units) at which the text is broken to fit `width`. */
export function divideLine(text: string, width: number, fold: boolean): number[] {
  const breaks: number[] = [];
  let offset = 0;
  const re = /\s*\S+\s*/y;
  let m: RegExpExecArray | null;
  re.lastIndex = 0;
  while ((m = re.exec(text))) {
    let start = m.index;
    const word = m[0];
    const wordLength = cellLen(word.trimEnd());
    if (width - offset >= wordLength) {
      offset += cellLen(word);
    } else if (wordLength > width) {
      if (fold) {
        const pieces = chopCells(word, width);
        pieces.forEach((piece, i) => {
          if (start) breaks.push(start);
          if (i === pieces.length - 1) offset = cellLen(piece);
          else start += piece.length;
        });
      } else {
        if (start) breaks.push(start);
        offset = cellLen(word);
      }
    } else if (offset && start) {
      breaks.push(start);
      offset = cellLen(word);
    }
  }
  return breaks;
}

export type Justify = 'left' | 'right' | 'default';

/**
 * rich.text.Text.wrap(width, justify, overflow): break at word starts (divide_line), drop the
 * whitespace that runs past the width (rstrip_end), justify, then truncate; "ellipsis" ends an
 * over-long word with "…", "fold" splits it. "left" pads to the width, "default" does not.
 */
export function wrapText(text: string, width: number, justify: Justify, overflow: 'ellipsis' | 'fold'): string[] {
  const out: string[] = [];
  for (const para of text.split('\n')) {
    const cuts = [0, ...divideLine(para, width, overflow === 'fold'), para.length];
    for (let i = 0; i + 1 < cuts.length; i++) {
      let line = para.slice(cuts[i], cuts[i + 1]);
      const len = line.length;
      if (len > width) {
        const ws = /\s+$/.exec(line)?.[0].length ?? 0;
        line = line.slice(0, len - Math.min(ws, len - width));
      }
      if (justify === 'right') line = line.trimEnd();
      const cells = cellLen(line);
      if (cells > width) line = overflow === 'ellipsis' ? setCellSize(line, width - 1) + '…' : setCellSize(line, width);
      if (justify === 'left' && cells < width) line += ' '.repeat(width - cells);
      if (justify === 'right') line = ' '.repeat(Math.max(0, width - cellLen(line))) + line;
      out.push(line);
    }
  }
  return out;
}

/** Python's round() of a float: to nearest, ties to even. */
function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** rich._ratio.ratio_reduce. */
function ratioReduce(total: number, ratios: number[], maximums: number[], values: number[]): number[] {
  const r = ratios.map((x, i) => (maximums[i] ? x : 0));
  let totalRatio = r.reduce((a, b) => a + b, 0);
  if (!totalRatio) return values.slice();
  let remaining = total;
  return values.map((v, i) => {
    if (r[i] && totalRatio > 0) {
      const distributed = Math.min(maximums[i], pyRound((r[i] * remaining) / totalRatio));
      remaining -= distributed;
      totalRatio -= r[i];
      return v - distributed;
    }
    return v;
  });
}

/** rich._ratio.ratio_distribute (no minimums). */
function ratioDistribute(total: number, ratios: number[]): number[] {
  let totalRatio = ratios.reduce((a, b) => a + b, 0);
  let remaining = total;
  return ratios.map((ratio) => {
    const d = totalRatio > 0 ? Math.max(0, Math.ceil((ratio * remaining) / totalRatio)) : remaining;
    totalRatio -= ratio;
    remaining -= d;
    return d;
  });
}

export interface RichColumn {
  header: string;
  justify: 'left' | 'right';
  /** Content width asked for (Keras: from line_length and positions). */
  width: number;
}

/**
 * rich.table.Table(*columns, width=tableWidth, show_lines=True) rendered with the HEAVY_HEAD box.
 * Column widths follow Table._calculate_column_widths for fixed-width columns: each column is its
 * width plus 1 + 1 padding; when they overflow the table, ratio_reduce takes the excess evenly.
 */
export function richTable(columns: RichColumn[], rows: string[][], tableWidth: number): string[] {
  const extra = columns.length + 1;
  const maxWidth = tableWidth - extra;
  let widths = columns.map((c) => Math.min(c.width + 2, Math.max(0, maxWidth)));
  let sum = widths.reduce((a, b) => a + b, 0);
  if (sum > maxWidth) {
    widths = ratioReduce(sum - maxWidth, widths.map(() => 1), widths, widths);
    sum = widths.reduce((a, b) => a + b, 0);
  }
  if (sum < maxWidth) {
    const pad = ratioDistribute(maxWidth - sum, widths);
    widths = widths.map((w, i) => w + pad[i]);
  }
  const rule = (l: string, m: string, r: string, f: string): string => l + widths.map((w) => f.repeat(w)).join(m) + r;
  const render = (cells: string[], edge: string): string[] => {
    const wrapped = cells.map((c, i) => wrapText(c, Math.max(0, widths[i] - 2), columns[i].justify, 'ellipsis'));
    const height = Math.max(1, ...wrapped.map((w) => w.length));
    const lines: string[] = [];
    for (let k = 0; k < height; k++) {
      lines.push(edge + wrapped.map((w, i) => setCellSize(` ${w[k] ?? ''} `, widths[i])).join(edge) + edge);
    }
    return lines;
  };
  const out = [rule('┏', '┳', '┓', '━'), ...render(columns.map((c) => c.header), '┃'), rule('┡', '╇', '┩', '━')];
  rows.forEach((r, i) => {
    if (i > 0) out.push(rule('├', '┼', '┤', '─'));
    out.push(...render(r, '│'));
  });
  out.push(rule('└', '┴', '┘', '─'));
  return out;
}

/** console.print(text) on a console `width` cells wide: words wrapped, long words folded. */
export function printText(text: string, width: number): string[] {
  return wrapText(text, width, 'default', 'fold');
}
