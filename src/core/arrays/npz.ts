/**
 * NumPy .npz archives (np.savez: stored members; np.savez_compressed: deflated members).
 * An .npz is a zip of .npy files, read with the project's own zip reader (formats/zip.ts): the
 * central directory first, so every member's declared size is checked (in all at most
 * MAX_ARRAY_FILE_BYTES, each deflated member at most MAX_RATIO times its compressed size) before
 * anything is inflated, and inflation never goes past the declared size.
 */
import { NDArray, InspectorError } from '../model';
import { parseNpy } from './npy';
import { MAX_ARRAY_FILE_BYTES, mib } from '../files';
import { openZipBytes, readEntry, type ZipArchive } from '../formats/zip';

/** The arrays of an .npz archive, in archive order, named without the ".npy" suffix. */
export function parseNpz(bytes: Uint8Array, file = ''): { name: string; array: NDArray }[] {
  let z: ZipArchive;
  try {
    z = openZipBytes(bytes);
  } catch (e) {
    throw new InspectorError(file, `not a readable .npz (zip) archive: ${e instanceof InspectorError ? e.problem : 'its directory is damaged'}`);
  }
  if (z.unsafe.length) throw new InspectorError(file, `the .npz archive holds a member named ${JSON.stringify(z.unsafe[0])} (absolute or with ".."): not an archive NumPy wrote`);
  if (z.duplicates.length) throw new InspectorError(file, `the .npz archive holds ${JSON.stringify(z.duplicates[0])} more than once: which copy is meant is ambiguous`);
  const members = [...z.entries.values()].filter((e) => !e.name.endsWith('/')); // directory entries
  const total = members.reduce((a, e) => a + e.size, 0);
  if (total > MAX_ARRAY_FILE_BYTES) {
    throw new InspectorError(file, `the .npz archive declares ${mib(total)} of arrays uncompressed, more than the ${mib(MAX_ARRAY_FILE_BYTES)} RNN Inspector loads from one array file`);
  }
  return members.map((e) => {
    const member = e.name;
    const name = member.endsWith('.npy') ? member.slice(0, -4) : member;
    try {
      const data = readEntry(z, member, MAX_ARRAY_FILE_BYTES)!;
      return { name, array: parseNpy(data, file) };
    } catch (err) {
      if (err instanceof InspectorError) throw new InspectorError(file, `array '${name}': ${err.problem}`);
      throw err;
    }
  });
}
