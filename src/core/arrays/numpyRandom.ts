/**
 * NumPy's legacy global random generator (`np.random.seed`, `np.random.randn`, `rand`, `randint`),
 * reproduced draw for draw so that a user who types the notebook's seed gets NumPy's numbers.
 *
 * What NumPy does (numpy/random/_mt19937.pyx, src/mt19937/, src/legacy/legacy-distributions.c):
 *   - `seed(s)` with an integer 0 … 2**32-1 runs MT19937's `init_genrand(s)` and clears the cached
 *     Gaussian;
 *   - `random_sample()` builds a 53-bit double from two 32-bit outputs;
 *   - `standard_normal()` is the polar Box–Muller method, which yields two normals per accepted pair:
 *     it returns one and caches the other (`has_gauss`) for the next call;
 *   - `randint(low, high)` draws on [low, high-1] by masked rejection sampling.
 *
 * The only operation that is not exact IEEE arithmetic is the logarithm in the Gaussian; see
 * `log.ts` for why we do not use Math.log.
 */
import { NDArray, InspectorError } from '../model';
import { log as crLog } from './log';

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** One NumPy `RandomState` (the object behind the `np.random.*` module functions). */
export class NumpyRandomState {
  private readonly mt = new Uint32Array(N);
  private mti = N;
  private hasGauss = false;
  private gauss = 0;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** `np.random.seed(seed)` for an integer seed in 0 … 2**32-1. */
  seed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new InspectorError('', `seed must be an integer between 0 and 2**32 - 1 (got ${seed})`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev + i (mod 2**32); Math.imul keeps the product exact in 32 bits.
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mti = N;
    this.hasGauss = false;
    this.gauss = 0;
  }

  /** The next raw 32-bit MT19937 output (`genrand_int32`). */
  nextUint32(): number {
    const mt = this.mt;
    if (this.mti >= N) {
      let kk = 0;
      for (; kk < N - M; kk++) {
        const y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + M] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      for (; kk < N - 1; kk++) {
        const y = (mt[kk] & UPPER_MASK) | (mt[kk + 1] & LOWER_MASK);
        mt[kk] = mt[kk + (M - N)] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      const y = (mt[N - 1] & UPPER_MASK) | (mt[0] & LOWER_MASK);
      mt[N - 1] = mt[M - 1] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      this.mti = 0;
    }
    let y = mt[this.mti++];
    // Tempering.
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** `np.random.random_sample()`: a double in [0, 1) with 53 random bits. */
  randomSample(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** `np.random.standard_normal()`: legacy polar Box–Muller with the cached second value. */
  standardNormal(): number {
    if (this.hasGauss) {
      this.hasGauss = false;
      const cached = this.gauss;
      this.gauss = 0;
      return cached;
    }
    let x1: number, x2: number, r2: number;
    do {
      x1 = 2 * this.randomSample() - 1;
      x2 = 2 * this.randomSample() - 1;
      r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1 || r2 === 0);
    const f = Math.sqrt((-2 * crLog(r2)) / r2);
    this.gauss = f * x1;
    this.hasGauss = true;
    return f * x2;
  }

  /** `np.random.randn(*shape)`: standard normals in C order. `randn()` gives a 0-d array. */
  randn(...shape: number[]): NDArray {
    return this.fill(shape, () => this.standardNormal());
  }

  /** `np.random.rand(*shape)`: uniforms on [0, 1) in C order. */
  rand(...shape: number[]): NDArray {
    return this.fill(shape, () => this.randomSample());
  }

  /**
   * `np.random.randint(low, high, size)` with the default int64 dtype: integers on [low, high),
   * or [0, low) when `high` is omitted. Legacy NumPy always uses masked rejection sampling:
   * draw, AND with the smallest all-ones mask covering the range, retry while above the range.
   * Ranges wider than 2**32 take 64-bit draws (two 32-bit outputs, high word first).
   * Bounds must be safe integers (|x| < 2**53) so results are exact JS numbers.
   */
  randint(low: number, high?: number, size: number[] = []): NDArray {
    if (high === undefined) {
      high = low;
      low = 0;
    }
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high)) {
      throw new InspectorError('', 'randint bounds must be integers below 2**53 in magnitude');
    }
    if (low >= high) throw new InspectorError('', `randint: low >= high (${low} >= ${high})`);
    const rng = high - 1 - low;
    if (rng === 0) return this.fill(size, () => low);
    if (rng <= 0xffffffff) {
      const mask = maskFor(rng);
      return this.fill(size, () => {
        let v: number;
        do v = (this.nextUint32() & mask) >>> 0;
        while (v > rng);
        return low + v;
      });
    }
    const bigRng = BigInt(rng);
    const bigMask = BigInt(maskFor(Math.floor(rng / 2 ** 32))) * 0x100000000n + 0xffffffffn;
    return this.fill(size, () => {
      let v: bigint;
      do {
        const hi = BigInt(this.nextUint32());
        const lo = BigInt(this.nextUint32());
        v = ((hi << 32n) | lo) & bigMask;
      } while (v > bigRng);
      return low + Number(v);
    });
  }

  private fill(shape: number[], draw: () => number): NDArray {
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 0) throw new InspectorError('', `invalid shape [${shape.join(', ')}]`);
    }
    const data = new Float64Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = draw();
    return { shape: [...shape], data };
  }
}

/** Smallest 2**k - 1 that is >= v (for 0 < v < 2**32). */
function maskFor(v: number): number {
  let mask = v >>> 0;
  mask |= mask >>> 1;
  mask |= mask >>> 2;
  mask |= mask >>> 4;
  mask |= mask >>> 8;
  mask |= mask >>> 16;
  return mask >>> 0;
}

/** `np.random.seed(seed); np.random.randn(*shape)`. */
export function randn(seed: number, shape: number[]): NDArray {
  return new NumpyRandomState(seed).randn(...shape);
}
