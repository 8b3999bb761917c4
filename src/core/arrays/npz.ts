/**
 * NumPy .npz archives (np.savez: stored members; np.savez_compressed: deflated members).
 * An .npz is a zip of .npy files; fflate does the unzipping.
 */
import { unzipSync } from 'fflate';
import { NDArray, InspectorError } from '../model';
import { parseNpy } from './npy';

/** The arrays of an .npz archive, in archive order, named without the ".npy" suffix. */
export function parseNpz(bytes: Uint8Array, file = ''): { name: string; array: NDArray }[] {
  // unzipSync returns a plain object, whose key order JavaScript does not keep for integer-like
  // names; the filter callback sees members in central-directory order, so record it there.
  const order: string[] = [];
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, {
      filter: (info) => {
        if (info.name.endsWith('/')) return false; // directory entries
        order.push(info.name);
        return true;
      },
    });
  } catch (e) {
    throw new InspectorError(file, `not a readable .npz (zip) archive: ${e instanceof Error ? e.message : String(e)}`);
  }
  return order.map((member) => {
    const name = member.endsWith('.npy') ? member.slice(0, -4) : member;
    try {
      return { name, array: parseNpy(members[member], file) };
    } catch (e) {
      if (e instanceof InspectorError) throw new InspectorError(file, `array '${name}': ${e.problem}`);
      throw e;
    }
  });
}
