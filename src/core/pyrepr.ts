/** How Python writes a shape: the one formatter of shape tuples, used by every module and shell. */

/**
 * "(None, 10, 3)", "(5,)", "()" as Python prints a shape tuple. Keras 3's summary() writes a
 * 1-tuple without the comma, "(None)": pass `pythonComma = false` for that.
 */
export function fmtShape(s: readonly (number | null)[], pythonComma = true): string {
  return `(${s.map((d) => (d == null ? 'None' : String(d))).join(', ')}${pythonComma && s.length === 1 ? ',' : ''})`;
}
