/**
 * Arrays as JSON nested lists, the shape NumPy's `a.tolist()` and `json.dump` produce.
 */
import { NDArray, InspectorError } from '../model';

/** Axes of an array written as nested JSON lists (NumPy's own limit is 32 / 64). */
export const MAX_JSON_RANK = 64;

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
    if (shape.length > MAX_JSON_RANK) throw new InspectorError(file, `${where || 'the value'} is nested deeper than ${MAX_JSON_RANK} levels (an array has at most ${MAX_JSON_RANK} axes)`);
    if (v.length === 0) break;
  }
  // Paths in messages look like X[1][0]; `ref` is the first row at the same depth, whose length
  // fixed the shape.
  const ref = (depth: number) => where + '[0]'.repeat(depth);
  const path = (idx: number[]) => where + idx.map((i) => `[${i}]`).join('');
  // One iterative pass checks every row against the shape before anything is allocated (a ragged
  // list cannot claim a huge size), a second one copies the numbers.
  const leaves: unknown[] = [];
  const stack: { v: unknown; idx: number[] }[] = [{ v: value, idx: [] }];
  while (stack.length) {
    const { v, idx } = stack.pop()!;
    const depth = idx.length;
    const at = path(idx) || 'the value';
    if (depth === shape.length) {
      if (typeof v === 'number' || typeof v === 'boolean') {
        leaves.push(v);
        continue;
      }
      if (Array.isArray(v)) throw new InspectorError(file, `ragged nested list: ${at} is a list but ${ref(depth)} is a number`);
      throw new InspectorError(file, `${at} is ${describe(v)}, not a number`);
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
    if (depth === shape.length - 1) {
      // The last axis: numbers, read in place (no per-element bookkeeping).
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (typeof x === 'number' || typeof x === 'boolean') leaves.push(x);
        else stack.push({ v: x, idx: [...idx, i] }); // reported by the check above
        if (typeof x !== 'number' && typeof x !== 'boolean') break;
      }
      continue;
    }
    for (let i = v.length - 1; i >= 0; i--) stack.push({ v: v[i], idx: [...idx, i] });
  }
  const data = new Float64Array(leaves.length);
  for (let i = 0; i < leaves.length; i++) {
    const x = leaves[i];
    data[i] = typeof x === 'boolean' ? (x ? 1 : 0) : (x as number);
  }
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
