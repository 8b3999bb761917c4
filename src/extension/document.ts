/**
 * One opened weight file: the parsed model (in the host, never in the webview), what the panel
 * shows about it, and its last forward-pass run. Reloads when the file changes on disk.
 */
import { promises as fsp } from 'node:fs';
import * as vscode from 'vscode';
import { InspectorError, openModelBounded, OPEN_TIME_BUDGET_MS, summarize, type Model, type Summary } from '../core';
import type { ModelView } from '../shared/messages';
import { discoverSources } from './sources';
import { modelView } from './view';
import { shareWeightValues, type FullRun } from './runner';

/**
 * `model` is first read without weight values (shapes and metadata only: the panel paints from
 * it); `withWeights()` reads the values when a forward pass, a heatmap or the gradients need
 * them, and then `model` is the model with its values.
 */
export type LoadState =
  | { kind: 'loading' }
  | { kind: 'ready'; model: Model; summary: Summary; view: ModelView; loadMs: number; weightsMs?: number }
  | { kind: 'error'; message: string };

/** True when every weight tensor of the model has its values (or it has none). */
export function hasValues(model: Model): boolean {
  const all = (ls: Model['layers']): boolean => ls.every((l) => l.weights.every((w) => w.data) && all(l.inner ?? []));
  return all(model.layers);
}

/** The time budget for opening a model (setting rnnInspector.openTimeoutSeconds). */
export function openTimeoutMs(): number {
  const s = vscode.workspace.getConfiguration('rnnInspector').get<number>('openTimeoutSeconds');
  return typeof s === 'number' && Number.isFinite(s) && s > 0 ? s * 1000 : OPEN_TIME_BUDGET_MS;
}

/** A notification with a Cancel button appears when opening takes longer than this. */
const PROGRESS_AFTER_MS = 1000;

/** Plain text of any error, the core's InspectorError already reads "FILE: problem". */
export function errorText(e: unknown): string {
  if (e instanceof InspectorError) return e.message;
  if (e instanceof Error) return e.message;
  return String(e);
}

export class InspectorDocument implements vscode.CustomDocument {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after every (re)load; panels redraw. */
  readonly onDidChange = this.changed.event;
  private readonly disposed = new vscode.EventEmitter<void>();
  /** Fires once when VS Code disposes the document (its last editor closed). */
  readonly onDidDispose = this.disposed.event;
  private readonly disposables: vscode.Disposable[] = [this.changed];
  private isDisposed = false;
  state: LoadState = { kind: 'loading' };
  lastRun?: FullRun;
  private loading?: Promise<void>;
  /** The read of the weight values, shared by everyone who needs them until the next (re)load. */
  private weighing?: Promise<Model>;
  /** mtime and size of the file as last read: a cheap check for changes the watcher missed. */
  private stamp = '';
  private reloadTimer?: NodeJS.Timeout;

  constructor(
    readonly uri: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // Reload when the file is rewritten (e.g. a notebook saves the model again); sidecars too.
    const dir = vscode.Uri.joinPath(uri, '..');
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(dir, '*'));
    const onFs = (u: vscode.Uri): void => {
      const isModel = u.toString() === uri.toString();
      if (isModel || /\.(npy|npz|json)$/i.test(u.path)) this.scheduleReload(isModel ? 'file changed on disk' : `${u.path.split('/').pop()} changed`);
    };
    this.disposables.push(watcher, watcher.onDidChange(onFs), watcher.onDidCreate(onFs), watcher.onDidDelete(onFs));
  }

  get fsPath(): string {
    return this.uri.fsPath;
  }

  private scheduleReload(why: string): void {
    clearTimeout(this.reloadTimer);
    this.reloadTimer = setTimeout(() => {
      this.log.info(`${this.fsPath}: ${why}, reloading`);
      void this.load();
    }, 300);
  }

  private async currentStamp(): Promise<string> {
    try {
      const st = await fsp.stat(this.fsPath);
      return `${st.mtimeMs}:${st.size}`;
    } catch {
      return 'missing';
    }
  }

  /**
   * Reloads if the file differs from what was read (file watchers can miss events, e.g. outside
   * the workspace or on network drives). Called when a panel becomes visible again.
   */
  async reloadIfChanged(): Promise<void> {
    if (this.loading || !this.stamp) return;
    if ((await this.currentStamp()) !== this.stamp) {
      this.log.info(`${this.fsPath}: changed since it was read, reloading`);
      await this.load();
    }
  }

  /** Parses the file; concurrent callers share one load. */
  load(): Promise<void> {
    if (this.loading) return this.loading;
    this.loading = this.doLoad().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  ready(): Promise<void> {
    return this.loading ?? Promise.resolve();
  }

  private async doLoad(): Promise<void> {
    const t0 = performance.now();
    this.state = { kind: 'loading' };
    this.lastRun = undefined;
    this.weighing = undefined;
    this.stamp = await this.currentStamp();
    try {
      if (this.uri.scheme !== 'file') {
        throw new InspectorError(this.uri.toString(), 'only files on disk can be inspected (this workspace is virtual)');
      }
      // Shapes and metadata only: no weight value is read before the panel's first paint.
      const model = await this.open(false);
      const summary = summarize(model);
      const sources = await discoverSources(model);
      const view = modelView(model, summary, sources);
      const loadMs = performance.now() - t0;
      this.state = { kind: 'ready', model, summary, view, loadMs };
      const weights = model.layers.reduce((s, l) => s + l.weights.length, 0);
      this.log.info(
        `read ${this.fsPath} (${view.bytes} bytes) as ${view.formatLabel}${view.kerasVersion ? `, Keras ${view.kerasVersion}` : ''}: ` +
          `${model.layers.length} layers, ${weights} weight tensors, ${summary.totalParams} params in ${loadMs.toFixed(0)} ms (weight values not read yet)`,
      );
      for (const n of view.notes) this.log.info(`  inferred: ${n}`);
      for (const u of view.unsupported) this.log.warn(`  not supported: ${u}`);
      const side = [...view.inputSources, ...view.expectedSources].filter((s) => s.sidecar).map((s) => s.path);
      if (side.length) this.log.info(`  sidecar files: ${side.join(', ')}`);
    } catch (e) {
      const message = errorText(e);
      this.state = { kind: 'error', message };
      this.log.error(`could not read ${this.fsPath}: ${message}`);
      const detail = e instanceof InspectorError ? e.detail : undefined;
      if (detail) this.log.error(`  details: ${detail}`);
    }
    this.changed.fire();
  }

  /**
   * The model with its weight values: read once, on the first need (a forward pass, a heatmap, the
   * gradients), then kept until the file is read again. Rejects with the reader's error (a missing
   * TF.js shard, a damaged dataset), naming the file; the next call tries again.
   */
  withWeights(): Promise<Model> {
    const s = this.state;
    if (s.kind !== 'ready') return Promise.reject(new Error(s.kind === 'error' ? s.message : 'still loading'));
    if (hasValues(s.model)) return Promise.resolve(s.model);
    if (!this.weighing) {
      const t0 = performance.now();
      const reading = this.open(true).then(
        (model) => {
          // Shared with the run workers rather than copied into each run.
          shareWeightValues(model);
          if (this.state === s) {
            s.model = model;
            s.weightsMs = performance.now() - t0;
            this.log.info(`read the weight values of ${this.fsPath} in ${s.weightsMs.toFixed(0)} ms`);
          }
          return model;
        },
        (e: unknown) => {
          if (this.weighing === reading) this.weighing = undefined;
          this.log.error(`could not read the weight values of ${this.fsPath}: ${errorText(e)}`);
          throw e;
        },
      );
      this.weighing = reading;
    }
    return this.weighing;
  }

  /**
   * Opens the file off the host's thread (a worker, within the time budget and the memory budget):
   * a hostile file can delay only its own panel. After a second a notification shows it with Cancel.
   */
  private open(weights: boolean): Promise<Model> {
    const ac = new AbortController();
    const opening = openModelBounded(this.fsPath, { weights, timeMs: openTimeoutMs(), signal: ac.signal });
    const timer = setTimeout(() => {
      const name = this.uri.path.split('/').pop() ?? this.fsPath;
      const title = weights ? `RNN Inspector: reading the weights of ${name}…` : `RNN Inspector: opening ${name}…`;
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (_p, token) => {
        token.onCancellationRequested(() => ac.abort());
        return opening.then(
          () => undefined,
          () => undefined,
        );
      });
    }, PROGRESS_AFTER_MS);
    return opening.finally(() => clearTimeout(timer));
  }

  dispose(): void {
    if (this.isDisposed) return;
    this.isDisposed = true;
    clearTimeout(this.reloadTimer);
    this.disposed.fire();
    this.disposed.dispose();
    for (const d of this.disposables) d.dispose();
  }
}
