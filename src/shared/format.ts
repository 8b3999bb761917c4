/** Number formatting shared by the host (report, summary text) and the panel. Pure, no imports. */

export const fmtInt = (n: number): string => n.toLocaleString('en-US');

/** Six significant digits, exponent form for very small or large magnitudes. */
export const fmtNum = (x: number): string =>
  Number.isNaN(x) ? 'NaN' : x === 0 ? '0' : Math.abs(x) < 1e-3 || Math.abs(x) >= 1e5 ? x.toExponential(3) : x.toPrecision(6);

/** Keras 3's readable_memory_size: "228.00 B", "119.73 KB". */
export function readableBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let v = bytes;
  for (const u of units) {
    if (v / 1024 < 1) return `${v.toFixed(2)} ${u}`;
    v /= 1024;
  }
  return `${v.toFixed(2)} PB`;
}
