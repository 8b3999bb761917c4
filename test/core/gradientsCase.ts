/** Loads one case of test/fixtures/gradients/ (section G of scripts/make_fixtures.py). */
import * as fs from 'node:fs';
import { fixture } from './paths';
import { loadArrays } from '../../src/core/arrays';
import type { LossName } from '../../src/core/losses';
import type { NDArray } from '../../src/core/model';

export const G = (...p: string[]): string => fixture('gradients', ...p);
export const gradientCases = (): string[] => JSON.parse(fs.readFileSync(G('index.json'), 'utf8')).cases;

export interface ExpectedGradients {
  loss: LossName;
  loss_value: number;
  inputs: string[];
  targets: string[];
  outputs: unknown[];
  gradients: { path: string; shape: number[]; data: number[] }[];
}

export async function loadCase(name: string): Promise<{ exp: ExpectedGradients; X: NDArray[]; T: NDArray[] }> {
  const exp: ExpectedGradients = JSON.parse(fs.readFileSync(G(name, 'gradients.json'), 'utf8'));
  const X = await Promise.all(exp.inputs.map(async (f) => (await loadArrays(G(name, f)))[0].array));
  const T = await Promise.all(exp.targets.map(async (f) => (await loadArrays(G(name, f)))[0].array));
  return { exp, X, T };
}
