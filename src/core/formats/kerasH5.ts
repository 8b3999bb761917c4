/**
 * Keras HDF5 files, every layout seen in real files (corpus MANIFEST L1–L5):
 *  - model.save('m.h5'): root attrs model_config + keras_version, weights under model_weights/
 *    (Keras 2.0–2.2 without a cell group, tf.keras 2.x with <layer>/<cell>/…:0, Keras 3's legacy
 *    writer with <layer>/<model>/<layer>/<cell>/… and no ":0");
 *  - save_weights('w.h5') of Keras 1 / 2: layer_names at the root, no model_config;
 *  - Keras 3 weight stores (*.weights.h5, model.weights.h5 inside .keras): layers/<key>/…/vars/<i>.
 * The weight order is each group's weight_names attribute, never HDF5's alphabetical order.
 */
import type { Weight } from '../model';
import { InspectorError } from '../model';
import { attrString, attrStrings, checkDeclaredSize, datasetDtype, h5Failure, isDataset, isGroup, member, openH5, readFloats, type H5File, type H5Group } from './h5';
import type { Graph } from './kerasConfig';
import { graphFromModelConfig } from './kerasConfig';
import type { StoredLayer } from './infer';
import { readBackslashStore, readWeightStore, type WeightStore } from './kerasV3';

export type H5Kind = 'full' | 'weights' | 'store';

export interface H5Contents {
  kind: H5Kind;
  kerasVersion?: string;
  backend?: string;
  /** From the model_config attribute (full models only). */
  graph?: Graph;
  /** Legacy layouts: stored layers in layer_names order, weights in weight_names order. */
  stored?: StoredLayer[];
  /** Keras 3 weight store. */
  store?: WeightStore;
  optimizerState: boolean;
}

function parseJsonAttr(text: string, what: string): any {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new InspectorError('', `the ${what} attribute is not valid JSON`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new InspectorError('', `the ${what} attribute is not a Keras model config (it holds ${JSON.stringify(v).slice(0, 40)})`);
  return v;
}

/** Reads a legacy weights group (model_weights/ or the root of a save_weights file). */
function readLegacyLayers(f: H5File, mod: Awaited<ReturnType<typeof openH5>>['mod'], root: H5Group, withData: boolean): StoredLayer[] {
  const names = attrStrings(root, 'layer_names');
  return names.map((name) => {
    const g = member(mod, root, name);
    if (!isGroup(mod, g)) throw new InspectorError('', `layer_names lists "${name}" but the file has no such group`);
    const weightNames = attrStrings(g, 'weight_names');
    const weights: Weight[] = weightNames.map((wn) => {
      const ds = member(mod, g, wn);
      if (!isDataset(mod, ds)) throw new InspectorError('', `weight_names of layer "${name}" lists "${wn}" but the file has no such dataset`);
      if (!withData) checkDeclaredSize(ds);
      return {
        name: wn,
        role: '',
        shape: ds.shape ?? [],
        dtype: datasetDtype(ds),
        trainable: true,
        data: withData ? readFloats(ds) : undefined,
      };
    });
    return { name, weights };
  });
}

/** Opens a Keras HDF5 file and reads what it holds (config, layers and weights), closing it before returning. */
export async function readKerasH5(file: string, withData: boolean): Promise<H5Contents> {
  const raw = await readRaw(file, withData);
  // The model config is parsed after the file is closed: its problems are the config's, not HDF5's.
  const graph = raw.modelConfigText ? graphFromModelConfig(parseJsonAttr(raw.modelConfigText, 'model_config')) : undefined;
  const { modelConfigText, ...c } = raw;
  void modelConfigText;
  return { ...c, graph };
}

async function readRaw(file: string, withData: boolean): Promise<Omit<H5Contents, 'graph'> & { modelConfigText?: string }> {
  const { f, mod, close } = await openH5(file);
  try {
    const keys = f.keys();
    const modelConfigText = attrString(f, 'model_config');
    const mw = keys.includes('model_weights') ? member(mod, f, 'model_weights') : null;
    const weightsRoot: H5Group | undefined = isGroup(mod, mw) ? mw : attrStrings(f, 'layer_names').length ? f : undefined;
    const kerasVersion = attrString(f, 'keras_version') ?? (weightsRoot ? attrString(weightsRoot, 'keras_version') : undefined);
    const backend = attrString(f, 'backend') ?? (weightsRoot ? attrString(weightsRoot, 'backend') : undefined);
    const optimizerState = keys.includes('optimizer_weights') || keys.includes('optimizer');
    if (weightsRoot) {
      const stored = readLegacyLayers(f, mod, weightsRoot, withData);
      return { kind: modelConfigText ? 'full' : 'weights', kerasVersion, backend, modelConfigText, stored, optimizerState };
    }
    const storeRoot = ['layers', '_layer_checkpoint_dependencies'].find((k) => keys.includes(k));
    const windows = !storeRoot && keys.some((k) => k.startsWith('layers\\'));
    if (storeRoot || windows) {
      const store = storeRoot ? readWeightStore(f, mod, storeRoot, withData) : readBackslashStore(f, mod, withData);
      return { kind: 'store', kerasVersion, backend, modelConfigText, store, optimizerState };
    }
    if (modelConfigText) {
      // A model saved without weights (possible with old Keras): architecture only.
      return { kind: 'full', kerasVersion, backend, modelConfigText, stored: [], optimizerState };
    }
    const shown = keys.slice(0, 6).join(', ') || 'nothing';
    throw new InspectorError('', `an HDF5 file, but not a Keras model: no model_config, layer_names or layers/ group (top level holds ${shown})`);
  } catch (e) {
    throw h5Failure(e);
  } finally {
    close();
  }
}
