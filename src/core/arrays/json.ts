/**
 * Arrays as JSON nested lists, the shape NumPy's `a.tolist()` and `json.dump` produce.
 */
import { NDArray, InspectorError } from '../model';

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  return `a ${typeof v}`;
}

/**
 * A rectangular nested list of numbers → C-order array. A bare number gives a 0-d array;
 * booleans count as 0/1 (as NumPy would). `where` prefixes the element paths in error messages
 * (e.g. `"X"` gives `"X"[2][1]`).
 */
export function arrayFromJson(value: unknown, file = '', where = ''): NDArray {
  // The shape is read along the first element at each depth; every other row must then match.
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) {
    shape.push(v.length);
    if (v.length === 0) break;
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(count);
  let next = 0;
  // Paths in messages look like X[1][0]; `ref` is the first row at the same depth, whose length
  // fixed the shape.
  const ref = (depth: number) => where + '[0]'.repeat(depth);
  const walk = (v: unknown, depth: number, path: string): void => {
    const at = path || 'the value';
    if (depth === shape.length) {
      if (typeof v === 'number') data[next++] = v;
      else if (typeof v === 'boolean') data[next++] = v ? 1 : 0;
      else if (Array.isArray(v)) throw new InspectorError(file, `ragged nested list: ${at} is a list but ${ref(depth)} is a number`);
      else throw new InspectorError(file, `${at} is ${describe(v)}, not a number`);
      return;
    }
    if (!Array.isArray(v)) {
      if (typeof v === 'number' || typeof v === 'boolean') {
        throw new InspectorError(file, `ragged nested list: ${at} is a number but ${ref(depth)} is a list of ${shape[depth]}`);
      }
      throw new InspectorError(file, `${at} is ${describe(v)}, not a number or a list of numbers`);
    }
    if (v.length !== shape[depth]) {
      throw new InspectorError(file, `ragged nested list: ${at} has ${v.length} elements but ${ref(depth)} has ${shape[depth]}`);
    }
    for (let i = 0; i < v.length; i++) walk(v[i], depth + 1, `${path}[${i}]`);
  };
  walk(value, 0, where);
  return { shape, data };
}

/** C-order array → nested lists of numbers (a bare number for a 0-d array), like NumPy's tolist(). */
export function arrayToNested(a: NDArray): unknown {
  let next = 0;
  const build = (depth: number): unknown => {
    if (depth === a.shape.length) return a.data[next++];
    const out: unknown[] = new Array(a.shape[depth]);
    for (let i = 0; i < out.length; i++) out[i] = build(depth + 1);
    return out;
  };
  return build(0);
}
