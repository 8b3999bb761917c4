/**
 * The one home for escapers: every string that came from a model file (layer and class names,
 * weight names, config values, file names) goes through one of these before it is written into
 * something that is interpreted — Python code, Markdown, a VS Code notification, a terminal.
 * Catalogue: docs/errors.md, "Generated code, reports and the command line".
 */
import { InspectorError } from './model';

/**
 * Characters that can end a line, reorder or hide text, or control a device: C0 and C1 controls,
 * DEL, the line / paragraph separators, bidi embeddings, overrides, isolates and marks, zero-width
 * and other format characters (Cf), and lone surrogates.
 */
const UNSAFE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu;

const hex = (c: string, width: number): string => c.codePointAt(0)!.toString(16).padStart(width, '0');

/** Python's escape for one code point in a str literal: \xNN, \uNNNN or \UNNNNNNNN. */
function pyEscape(c: string): string {
  const cp = c.codePointAt(0)!;
  if (cp < 0x100) return `\\x${hex(c, 2)}`;
  if (cp < 0x10000) return `\\u${hex(c, 4)}`;
  return `\\U${hex(c, 8)}`;
}

/**
 * A Python string literal holding exactly `s` (as repr() would quote it, always with double
 * quotes): backslash, quote, \n, \r, \t escaped, every other control or format character as
 * \xNN / \uNNNN; printable non-ASCII text (accents, CJK, emoji beyond the BMP) kept as it is.
 * Nothing inside can end the literal or the line.
 */
export function pyStr(s: string): string {
  let out = '"';
  for (const c of String(s)) {
    if (c === '\\') out += '\\\\';
    else if (c === '"') out += '\\"';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (/^[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]$/u.test(c)) out += pyEscape(c);
    else out += c;
  }
  return out + '"';
}

/** At most this many characters of a file-derived name go into a generated comment. */
export const MAX_COMMENT_NAME = 200;

/**
 * Text for a Python `#` comment (or any single line of generated text): one line, whatever the
 * name holds. Control, line-breaking and bidi characters are shown as visible escapes (\n, \x1b,
 * \u202e), so the comment reads as the name and nothing after it can become code.
 */
export function pyComment(s: string): string {
  const one = String(s).replace(UNSAFE, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : c === '\t' ? '\\t' : pyEscape(c)));
  return one.length > MAX_COMMENT_NAME ? `${one.slice(0, MAX_COMMENT_NAME)}…` : one;
}

/** The largest integer written into generated code (counts, repeats, seeds, dimensions). */
export const MAX_CODE_INT = 2 ** 53 - 1;

/**
 * A whole number for generated code, validated: `what` names the value in the error
 * ("RepeatVector n of layer "rep"") when it is not a finite integer in [min, MAX_CODE_INT].
 */
export function pyInt(v: unknown, what: string, min = 0): string {
  const n = typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : NaN;
  if (v === null || v === undefined) throw new InspectorError('', `${what} is not recorded in the file: the replication is not written`);
  if (!Number.isInteger(n) || n < min || n > MAX_CODE_INT) {
    throw new InspectorError('', `${what} must be a whole number ≥ ${min}, but the file gives ${describeValue(v)}: the replication is not written`);
  }
  return String(n);
}

/** A real number for generated code, validated finite (repr-compatible: 1e-05, 0.5, -2). */
export function pyFloat(v: unknown, what: string): string {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new InspectorError('', `${what} must be a finite number, but the file gives ${describeValue(v)}: the replication is not written`);
  }
  return String(v);
}

/** A short, inert description of a value from a file, for messages ("the text "3; import os""). */
export function describeValue(v: unknown): string {
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number') return String(v);
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  return `a ${typeof v}`;
}

// ---- Markdown ----------------------------------------------------------------------------------

/**
 * Inline Markdown text: one line, every character that could start markup escaped (emphasis,
 * code spans, links and images — `[` and `]` —, raw HTML, strikethrough, entities, math; table
 * pipes too in a table cell), and a leading `#`, `-`, `+`, `=` or `1.` that would start a block; so
 * a name renders as the name. Control and bidi characters are shown as escapes.
 */
export function mdText(s: string, tableCell = false): string {
  return String(s)
    .replace(UNSAFE, (c) => (c === '\n' ? ' ' : c === '\r' ? ' ' : c === '\t' ? ' ' : pyEscape(c)))
    .replace(tableCell ? /[\\`*_[\]<>|~&$]/g : /[\\`*_[\]<>~&$]/g, (c) => `\\${c}`)
    .replace(/^(\s*)(#{1,6}|[+=-])(?=\s|$)/, '$1\\$2')
    .replace(/^(\s*\d+)([.)])(?=\s|$)/, '$1\\$2');
}

/** The longest run of backticks in a text. */
function longestBacktickRun(s: string): number {
  let best = 0;
  for (const m of s.matchAll(/`+/g)) best = Math.max(best, m[0].length);
  return best;
}

/** A Markdown code fence around `body` that nothing inside can close: longer than any backtick run. */
export function mdFence(body: string, info = 'text'): string[] {
  const fence = '`'.repeat(Math.max(3, longestBacktickRun(body) + 1));
  const safe = body.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}]/gu, (c) => (c === '\n' || c === '\t' ? c : c === '\r' ? '' : pyEscape(c)));
  return [`${fence}${info}`, ...safe.split('\n'), fence];
}

/** Inline code: a backtick string longer than any run inside, padded when the text starts or ends with one. */
export function mdCode(s: string): string {
  const one = String(s).replace(UNSAFE, (c) => (c === '\n' || c === '\r' || c === '\t' ? ' ' : pyEscape(c)));
  const ticks = '`'.repeat(longestBacktickRun(one) + 1);
  const pad = /^`|`$|^ .* $/.test(one) || one === '' ? ' ' : '';
  return `${ticks}${pad}${one}${pad}${ticks}`;
}

// ---- VS Code notifications ---------------------------------------------------------------------

/**
 * Text for showErrorMessage / showWarningMessage / showInformationMessage / progress titles.
 * VS Code turns `[label](command:…)` (and https:, file:) in a notification into a clickable link;
 * with every `[`, `]`, `(`, `)` and backtick escaped no `](` pair is left, so no link can form.
 * Line breaks and control characters become spaces / escapes.
 */
export function notifyText(s: string): string {
  return String(s)
    .replace(UNSAFE, (c) => (c === '\n' || c === '\r' || c === '\t' ? ' ' : pyEscape(c)))
    .replace(/[[\]()`]/g, (c) => `\\${c}`);
}

// ---- Terminals ---------------------------------------------------------------------------------

/**
 * What a terminal must not receive raw: C0 controls but \n and \t (ESC starts every escape
 * sequence, \r rewrites the line, BEL, backspace…), DEL, C1 controls (U+0080–U+009F: U+009B is a
 * one-character CSI), the bidi embeddings / overrides U+202A–U+202E and isolates U+2066–U+2069,
 * the bidi marks U+200E / U+200F / U+061C, and U+2028 / U+2029.
 */
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text for the CLI's stdout / stderr: every terminal control character shown as \uXXXX, so a name
 * cannot clear the screen, set the title or reorder the line. Applied to JSON text too, where it
 * keeps the document valid and equal (JSON.stringify already escapes C0 but not C1 or bidi).
 */
export function termSafe(s: string): string {
  return String(s).replace(TERMINAL_UNSAFE, (c) => `\\u${hex(c, 4)}`);
}
