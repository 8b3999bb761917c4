/** How Python writes a shape: the one formatter of shape tuples, used by every module and shell. */

/** "(None, 10, 3)", "(5,)", "()" as Python (and so Keras's model.summary()) prints a shape tuple. */
export function fmtShape(s: readonly (number | null)[]): string {
  return `(${s.map((d) => (d == null ? 'None' : String(d))).join(', ')}${s.length === 1 ? ',' : ''})`;
}
