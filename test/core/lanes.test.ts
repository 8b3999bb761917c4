/**
 * The small-layer kernels (src/core/math/simd/lanes.ts: the samples in the SIMD lanes) against the
 * units-in-lanes kernels (simd/block.ts: the wider layers of the Keras fixtures in fastpath.test.ts
 * and every tape in bpttFast.test.ts run there, held to the TypeScript reference). The Keras fixtures'
 * small layers, which now run on lanes.ts, are held to the reference and to Keras's own predictions
 * by fastpath.test.ts, on their inputs and on 131 random samples. Every shape that
 * changes the code path: partial groups (N not a multiple of 4 or 8) and partial blocks (N > 64),
 * C = G·M not a multiple of 4 (the single-column tail), go_backwards, return_sequences, every
 * activation code the kernels have, float64 and float32.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fastRnn, usesLanes, LANES_MAX_M, type FastRnnArgs, type FastRnnKind, type FastRnnResult } from '../../src/core/math/fastRnn';
import { kernels } from '../../src/core/math/wasm';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

function args(kind: FastRnnKind, N: number, T: number, D: number, M: number, seed: number, over: Partial<FastRnnArgs>): FastRnnArgs {
  const r = lcg(seed);
  const G = [1, 4, 3, 3][kind];
  const arr = (n: number, s: number): Float64Array => Float64Array.from({ length: n }, () => r() * s);
  return {
    kind, N, T, D, M,
    x: arr(N * T * D, 4),
    Wx: arr(D * G * M, 1.5),
    Wh: arr(M * G * M, 1.5),
    inBias: arr(G * M, 0.5),
    recBias: kind === 2 ? arr(G * M, 0.5) : null,
    act: 1, ract: 2,
    goBackwards: false, wantSeq: false, precision: 'f64',
    ...over,
  };
}

/** Largest |a − b| / (1 + |b|): absolute where values are O(1), relative where they grow (linear cells). */
function maxDiff(a: FastRnnResult, b: FastRnnResult): number {
  let m = 0;
  const pairs: [Float64Array | null, Float64Array | null][] = [[a.h, b.h], [a.c, b.c], [a.seq, b.seq]];
  for (const [x, y] of pairs) {
    assert.equal(x === null, y === null);
    if (!x || !y) continue;
    assert.equal(x.length, y.length);
    for (let i = 0; i < x.length; i++) {
      const d = Math.abs(x[i] - y[i]) / (1 + Math.abs(y[i]));
      m = Number.isNaN(d) ? Infinity : Math.max(m, d);
    }
  }
  return m;
}

test('the small-layer kernels are there and chosen for M ≤ LANES_MAX_M, not with a tape nor for the reset-before GRU', () => {
  assert.ok(kernels(), 'WebAssembly SIMD kernels failed to load');
  assert.equal(usesLanes(0, 5, 'f64', false), true);
  assert.equal(usesLanes(1, LANES_MAX_M.f32, 'f32', false), true);
  assert.equal(usesLanes(2, LANES_MAX_M.f64 + 1, 'f64', false), false);
  assert.equal(usesLanes(0, 5, 'f64', true), false);
  assert.equal(usesLanes(3, 5, 'f64', false), false);
});

test('samples in the lanes = units in the lanes (f64 ≤ 1e-12, f32 ≤ 2e-5): every kind, partial groups and blocks, odd C', () => {
  let cases = 0;
  for (const kind of [0, 1, 2] as FastRnnKind[]) {
    for (const M of [1, 2, 3, 5, 8, 12, 16]) {
      for (const [N, D] of [[1, 1], [3, 3], [6, 2], [9, 3], [67, 1], [131, 4]]) {
        for (const precision of ['f64', 'f32'] as const) {
          const over = { precision, goBackwards: (N + M) % 2 === 1, wantSeq: (N * M) % 3 !== 0 };
          const a = args(kind, N, 5, D, M, 1000 * kind + 10 * M + N, over);
          const units = fastRnn({ ...a, layout: 'units' })!;
          const lanes = fastRnn({ ...a, layout: 'lanes' })!;
          const d = maxDiff(units, lanes);
          const tol = precision === 'f64' ? 1e-12 : 2e-5;
          assert.ok(d <= tol, `kind ${kind} M ${M} N ${N} D ${D} ${precision}: max |Δ| ${d}`);
          assert.equal(lanes.h.length, N * M);
          cases++;
        }
      }
    }
  }
  assert.equal(cases, 3 * 7 * 6 * 2);
});

test('samples in the lanes: every activation code of the kernels (linear, tanh, sigmoid, relu, both hard_sigmoids, exponential)', () => {
  for (const act of [0, 1, 2, 3, 4, 5, 6]) {
    for (const kind of [0, 1, 2] as FastRnnKind[]) {
      // exponential as the cell activation of a SimpleRNN grows without bound: small weights.
      const a = args(kind, 37, 4, 3, 5, 77 + act, { act, ract: act === 6 ? 2 : act, wantSeq: true });
      if (act === 6) for (const w of [a.Wx, a.Wh]) for (let i = 0; i < w.length; i++) w[i] *= 0.1;
      const d = maxDiff(fastRnn({ ...a, layout: 'units' })!, fastRnn({ ...a, layout: 'lanes' })!);
      assert.ok(d <= 1e-12, `act ${act} kind ${kind}: max |Δ| ${d}`);
    }
  }
});

test('samples in the lanes: NaN inputs stay in their own samples', () => {
  const a = args(1, 8, 3, 2, 4, 5, {});
  a.x[1 * 3 * 2 + 2] = NaN; // sample 1, step 1
  const r = fastRnn({ ...a, layout: 'lanes' })!;
  for (let n = 0; n < 8; n++) {
    const row = Array.from(r.h.subarray(n * 4, n * 4 + 4));
    if (n === 1) assert.ok(row.every(Number.isNaN), `sample 1: ${row}`);
    else assert.ok(row.every(Number.isFinite), `sample ${n}: ${row}`);
  }
});
