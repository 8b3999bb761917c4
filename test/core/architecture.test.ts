/**
 * The layout rules of docs/architecture.md, checked on every `npm test`:
 * no file under src/ over 400 lines, no import cycle between modules under src/ (type-only imports
 * included: they still tie the modules together for a reader), and no Keras layer class name
 * written as a string literal outside src/core/layers/. Parsed with the TypeScript compiler API.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { ROOT } from './paths';
import { registeredClasses } from '../../src/core/layers/registry';

const SRC = path.join(ROOT, 'src');
const MAX_LINES = 400;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

const FILES = sourceFiles(SRC);
const rel = (p: string): string => path.relative(ROOT, p).split(path.sep).join('/');
const parsed = new Map<string, ts.SourceFile>(
  FILES.map((f) => [f, ts.createSourceFile(f, fs.readFileSync(f, 'utf8'), ts.ScriptTarget.ES2022, true)]),
);

/** Relative module specifiers of a file: import/export … from, import x = require(), import(). */
function specifiers(sf: ts.SourceFile): string[] {
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      out.push(n.moduleSpecifier.text);
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0])) {
      out.push(n.arguments[0].text);
    } else if (ts.isImportTypeNode(n) && ts.isLiteralTypeNode(n.argument) && ts.isStringLiteral(n.argument.literal)) {
      out.push(n.argument.literal.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out.filter((s) => s.startsWith('.'));
}

function resolve(from: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(from), spec.replace(/\.js$/, ''));
  for (const c of [base + '.ts', base + '.tsx', path.join(base, 'index.ts')]) if (parsed.has(c)) return c;
  return undefined;
}

/** Strongly connected components with more than one module (or a module importing itself). */
function cycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  const strong = (v: string): void => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(comp.map(rel).sort());
    }
  };
  for (const v of graph.keys()) if (!idx.has(v)) strong(v);
  return out;
}

test('no file under src/ is over 400 lines', () => {
  const long = FILES.map((f) => ({ f: rel(f), n: fs.readFileSync(f, 'utf8').split('\n').length - 1 }))
    .filter((x) => x.n > MAX_LINES)
    .map((x) => `${x.f}: ${x.n} lines`);
  assert.deepEqual(long, [], `files over ${MAX_LINES} lines`);
});

test('no import cycle between modules under src/', () => {
  const graph = new Map<string, string[]>();
  const unresolved: string[] = [];
  for (const [f, sf] of parsed) {
    const deps: string[] = [];
    for (const s of specifiers(sf)) {
      const r = resolve(f, s);
      if (r) deps.push(r);
      else if (!path.relative(SRC, path.resolve(path.dirname(f), s)).startsWith('..')) unresolved.push(`${rel(f)} → ${s}`);
      // (imports of generated code outside src/, e.g. build/gen/, are not part of the graph)
    }
    graph.set(f, deps);
  }
  assert.deepEqual(unresolved, [], 'relative imports that resolve to no file under src/');
  assert.ok(graph.size > 50, `found only ${graph.size} modules under src/`);
  assert.deepEqual(cycles(graph), [], 'import cycles (each line: the modules of one cycle)');
});

test('core/forward.ts does not import core/shapes.ts', () => {
  const f = path.join(SRC, 'core', 'forward.ts');
  const deps = specifiers(parsed.get(f)!).map((s) => resolve(f, s));
  assert.ok(deps.length > 0);
  assert.ok(!deps.includes(path.join(SRC, 'core', 'shapes.ts')), 'forward.ts imports shapes.ts');
});

/**
 * Keras class names a file writes as data: a string literal (or a template without substitutions)
 * whose whole text is a registered class name, or an object literal key spelled as one
 * (`{ LSTM: … }`). Prose that mentions a class inside a longer message is not counted.
 */
function classLiterals(sf: ts.SourceFile, classes: Set<string>): string[] {
  const hits: string[] = [];
  const at = (n: ts.Node, name: string): void => {
    const { line } = sf.getLineAndCharacterOfPosition(n.getStart(sf));
    hits.push(`${rel(sf.fileName)}:${line + 1}: ${name}`);
  };
  const visit = (n: ts.Node): void => {
    if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && classes.has(n.text)) {
      if (!ts.isImportDeclaration(n.parent) && !ts.isExportDeclaration(n.parent)) at(n, n.text);
    } else if ((ts.isPropertyAssignment(n) || ts.isShorthandPropertyAssignment(n)) && ts.isIdentifier(n.name) && classes.has(n.name.text)) {
      at(n, n.name.text);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return hits;
}

test('no Keras layer class name is written as a string literal outside src/core/layers/', () => {
  const classes = new Set(registeredClasses());
  assert.ok(classes.size > 30 && classes.has('LSTM'), 'the registry lists its classes');
  const layersDir = path.join(SRC, 'core', 'layers') + path.sep;
  const hits = [...parsed].filter(([f]) => !f.startsWith(layersDir)).flatMap(([, sf]) => classLiterals(sf, classes));
  if (process.env.LIST_LITERALS) console.log(hits.join('\n'));
  assert.deepEqual(hits, [], 'Keras class names outside the layer registry (use a LayerSpec field or hook instead)');
});
