/** Naming the file in a problem: readers and the compute core throw problems without one. */
import { InspectorError } from './model';

/** Runs `f`; a problem it throws without a file name is about `file`. */
export function inFile<T>(file: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof InspectorError && !e.file && file) throw new InspectorError(file, e.problem);
    throw e;
  }
}
