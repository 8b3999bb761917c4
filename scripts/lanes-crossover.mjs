// Where the small-layer kernels (src/core/math/simd/lanes.ts: the samples in the SIMD lanes) stop
// paying against the units-in-lanes kernels (simd/block.ts): times both layouts of fastRnn on random
// weights for each cell, width M and precision, and prints lanes / units. LANES_MAX_M in
// src/core/math/fastRnn.ts is set from this (docs/benchmarks.md, "Small layers").
//
//   node scripts/lanes-crossover.mjs [--N=1024] [--T=20] [--D=8] [--M=4,8,12,16,24]
// Runs the compiled core (out/src/core: `npx tsc -p tsconfig.test.json` first).
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { fastRnn } = await import(pathToFileURL(path.join(root, 'out/src/core/math/fastRnn.js')).href);
const arg = (k, d) => process.argv.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d;
const N = +arg('N', 1024), T = +arg('T', 20), D = +arg('D', 8);
const widths = arg('M', '4,8,12,16,24').split(',').map(Number);

let seed = 1;
const rnd = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5;
const arr = (n, s) => Float64Array.from({ length: n }, () => rnd() * s);
const median = (f) => {
  for (let i = 0; i < 5; i++) f();
  const ts = [];
  for (let i = 0; i < 15; i++) {
    const t0 = performance.now();
    f();
    ts.push(performance.now() - t0);
  }
  return ts.sort((a, b) => a - b)[7];
};

console.log(`N=${N} T=${T} D=${D}; ms (medians of 15), lanes / units`);
for (const M of widths) {
  for (const [kind, name] of [[0, 'SimpleRNN'], [1, 'LSTM'], [2, 'GRU']]) {
    const G = [1, 4, 3][kind];
    const a = { kind, N, T, D, M, x: arr(N * T * D, 2), Wx: arr(D * G * M, 1), Wh: arr(M * G * M, 1), inBias: arr(G * M, 0.2), recBias: kind === 2 ? arr(G * M, 0.2) : null, act: 1, ract: 2, goBackwards: false, wantSeq: false };
    const row = [];
    for (const precision of ['f64', 'f32']) {
      const units = median(() => fastRnn({ ...a, precision, layout: 'units' }));
      const lanes = median(() => fastRnn({ ...a, precision, layout: 'lanes' }));
      row.push(`${precision} ${units.toFixed(3)} / ${lanes.toFixed(3)} = ${(lanes / units).toFixed(2)}`);
    }
    console.log(`M=${String(M).padStart(3)} ${name.padEnd(9)} ${row.join('   ')}`);
  }
}
