/**
 * The pool of the fast kernels' output arrays (src/core/math/bufferPool.ts) and forward()'s use of
 * it: arrays come back only when nothing references them, so a later pass never overwrites an
 * earlier pass's outputs, and pooled passes give the numbers of the reference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fixture } from './paths';
import { openModel } from '../../src/core/formats';
import { forward } from '../../src/core/forward';
import { randomInputs } from '../../src/core/samples';
import { isPooled, releaseF64, takeF64 } from '../../src/core/math/bufferPool';

test('takeF64 hands a released array back; arrays it did not make are never taken in', () => {
  const a = takeF64(50_000);
  assert.equal(a.length, 50_000);
  assert.ok(isPooled(a));
  releaseF64(a);
  releaseF64(a); // twice: listed once
  const b = takeF64(50_000);
  assert.equal(b, a);
  const c = takeF64(50_000);
  assert.notEqual(c, a, 'the same array handed out twice');
  const foreign = new Float64Array(50_000);
  releaseF64(foreign);
  assert.notEqual(takeF64(50_000), foreign);
  assert.ok(!isPooled(foreign));
  assert.ok(!isPooled(takeF64(10)), 'small arrays are plain allocations');
});

test("a pass's inputs are never given back to the pool, even when they came from it", async () => {
  const model = await openModel(fixture('keras', 'stacked', 'model.h5'));
  const xs = randomInputs(model, 700, 5, 24).arrays;
  const x = takeF64(xs[0].data.length); // as when one model's output feeds another model
  x.set(xs[0].data);
  forward(model, [{ shape: xs[0].shape, data: x }]);
  const next = takeF64(x.length);
  assert.notEqual(next, x, 'the caller still holds its input');
  releaseF64(next);
});

// Stacked and bidirectional models have intermediates large enough to be pooled at this N.
for (const c of ['stacked', 'bidir_concat', 'embedding_mask_lstm', 'functional_branches', 'return_state_seq']) {
  const dir = fixture('keras', c);
  const file = ['model.keras', 'model.h5'].map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!file) continue;
  test(`${c}: repeated pooled passes keep earlier outputs intact and equal the reference`, async () => {
    const model = await openModel(file);
    const xs = randomInputs(model, 700, 5, 24).arrays;
    const ref = forward(model, xs, { engine: 'reference' });
    for (const precision of ['f64', 'f32'] as const) {
      const first = forward(model, xs, { precision });
      const snapshot = first.outputs.map((o) => Float64Array.from(o.array.data));
      // Other inputs: pooled arrays reused by these passes must not be the first pass's outputs.
      const other = randomInputs(model, 700, 6, 24).arrays;
      forward(model, other, { precision });
      forward(model, other, { precision });
      const again = forward(model, xs, { precision });
      first.outputs.forEach((o, i) => {
        assert.deepEqual(Array.from(o.array.data), Array.from(snapshot[i]), `${precision}: output ${o.name} changed by later passes`);
        assert.deepEqual(Array.from(again.outputs[i].array.data), Array.from(snapshot[i]), `${precision}: output ${o.name} differs on the same inputs`);
        const r = ref.outputs[i].array.data;
        // f64: 1e-12; f32: the verification tolerance (atol 1e-5 + rtol 1e-4).
        let worst = 0;
        for (let j = 0; j < r.length; j++) {
          const d = Math.abs(o.array.data[j] - r[j]);
          worst = Math.max(worst, precision === 'f64' ? d : d / (1e-5 + 1e-4 * Math.abs(r[j])));
        }
        assert.ok(worst <= (precision === 'f64' ? 1e-12 : 1), `${precision}: ${o.name} ${precision === 'f64' ? 'max |Δ|' : '|Δ| / tolerance'} ${worst} from the reference`);
      });
    }
  });
}
