/** The one dialog that picks an array file (.npy / .npz / JSON) for inputs or expected predictions. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ArraySource } from '../shared/messages';

export const asSource = (p: string): ArraySource => ({ kind: 'file', path: p, label: path.basename(p) });

/** Asks for an array file in the model's folder; undefined when the user cancels. */
export async function pickArrayFile(model: vscode.Uri, title: string, openLabel = 'Use'): Promise<ArraySource | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    defaultUri: vscode.Uri.joinPath(model, '..'),
    filters: { 'Arrays (.npy, .npz, JSON)': ['npy', 'npz', 'json'] },
    title,
    openLabel,
  });
  return picked?.[0] ? asSource(picked[0].fsPath) : undefined;
}
