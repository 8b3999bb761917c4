// Bundles the three programs the project ships, each into one file under dist/:
//   dist/extension.js  the VS Code extension host (CJS, node; `vscode` stays external)
//   dist/cli.js        the command line (CJS, node, with a shebang), when src/cli/main.ts exists
//   dist/runWorker.js  the forward-pass worker thread the host starts per run
//   dist/openWorker.js the model-opening worker thread (CLI and host: opening within a time and memory budget)
//   dist/webview.js    the inspection panel (browser IIFE; never imports src/core)
// plus dist/codicons/ (the codicon font and CSS the panel uses).
//
// plus dist/h5wasm.js: h5wasm's node build (4.2 MB, its WebAssembly inlined as base64) in a file of
// its own, loaded by the core's `import('h5wasm/node')` only when an HDF5 file is opened. Inlined in
// every bundle it cost each process ~150 ms of reading and compiling JavaScript before main() ran
// (`--version` 0.43 s), twice for a CLI summary (the CLI and its opening worker).
//
// h5wasm's node build is ESM-only and calls createRequire(import.meta.url); in a CJS bundle
// import.meta is empty and that fails at run time. Option 2 of docs (NOTES.md): define
// import.meta.url to a variable the banner sets from __filename.
//
//   node scripts/build.mjs               development build (source maps)
//   node scripts/build.mjs --production  minified, no source maps
//   node scripts/build.mjs --watch       rebuild on change
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { buildWasm } from './build-wasm.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const importMetaFix = {
  define: { 'import.meta.url': '__import_meta_url' },
  banner: { js: "const __import_meta_url = require('url').pathToFileURL(__filename).href;" },
};

/** Prints errors in the `file:line:col: error: text` shape VS Code's $esbuild-watch matcher reads. */
const reporter = (name) => ({
  name: 'reporter',
  setup(build) {
    let started = 0;
    build.onStart(() => { started = Date.now(); });
    build.onEnd((result) => {
      for (const { text, location } of result.errors) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
      if (!result.errors.length) console.log(`[build] ${name} ok (${Date.now() - started} ms)`);
    });
  },
});

/** `import('h5wasm/node')` → dist/h5wasm.js, beside the bundle that loads it (resolved at run time). */
const h5wasmApart = {
  name: 'h5wasm-apart',
  setup(build) {
    // A plain require (not import(): Node's ESM loader would scan the 5 MB CommonJS file for its
    // export names, slowly and missing some, e.g. FS).
    build.onResolve({ filter: /^h5wasm\/node$/ }, () => ({ path: 'h5wasm-apart', namespace: 'h5wasm-apart' }));
    build.onLoad({ filter: /.*/, namespace: 'h5wasm-apart' }, () => ({ contents: "module.exports = require('./h5wasm.js');", loader: 'js' }));
    build.onResolve({ filter: /^\.\/h5wasm\.js$/ }, () => ({ path: './h5wasm.js', external: true }));
  },
};

/**
 * h5wasm's Emscripten build carries its 3 MB WebAssembly module as a JavaScript string literal, which
 * every process then scanned and compiled (~200 ms) and decoded char by char (~100 ms) before HDF5
 * could start. At build time the literal is evaluated once and its bytes written beside the bundle
 * (dist/hdf5.wasm: the same bytes as in the npm package, nothing downloaded or committed); the bundle
 * reads them from there. If the source does not have the expected shape (another h5wasm version),
 * the build says so and keeps the module inline.
 */
const h5wasmBinaryApart = {
  name: 'h5wasm-binary-apart',
  setup(build) {
    build.onLoad({ filter: /h5wasm[\\/]dist[\\/]node[\\/]hdf5_util\.js$/ }, async (args) => {
      const src = await fs.promises.readFile(args.path, 'utf8');
      const head = 'function findWasmBinary(){return binaryDecode(';
      const at = src.indexOf(head);
      const q = at >= 0 ? src[at + head.length] : '';
      let end = -1;
      if (q === "'" || q === '"') {
        for (let i = at + head.length + 1; i < src.length; i++) {
          if (src[i] === '\\') i++;
          else if (src[i] === q) {
            end = i;
            break;
          }
        }
      }
      if (end < 0 || src.slice(end + 1, end + 3) !== ')}') {
        console.warn('[build] h5wasm: findWasmBinary not in the expected shape, its WebAssembly stays inline');
        return { contents: src, loader: 'js' };
      }
      const text = vm.runInNewContext(src.slice(at + head.length, end + 1));
      const bytes = Buffer.alloc(text.length);
      for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
      if (bytes.readUInt32LE(0) !== 0x6d736100) throw new Error('h5wasm: the extracted module does not start with \\0asm');
      fs.mkdirSync(path.join(root, 'dist'), { recursive: true });
      fs.writeFileSync(path.join(root, 'dist', 'hdf5.wasm'), bytes);
      const read = "function findWasmBinary(){return new Uint8Array(require('fs').readFileSync(require('path').join(__dirname,'hdf5.wasm')))}";
      return { contents: src.slice(0, at) + read + src.slice(end + 3), loader: 'js' };
    });
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  absWorkingDir: root,
};

const targets = [
  {
    ...common,
    ...importMetaFix,
    entryPoints: ['src/extension/extension.ts'],
    outfile: 'dist/extension.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    plugins: [h5wasmApart, reporter('extension')],
  },
  {
    // The forward-pass worker thread (runs, random inputs and array files off the host's thread).
    ...common,
    ...importMetaFix,
    entryPoints: ['src/extension/runWorker.ts'],
    outfile: 'dist/runWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [h5wasmApart, reporter('runWorker')],
  },
  {
    // The model-opening worker thread (src/core/bounded.ts): opening within a time and memory budget.
    ...common,
    ...importMetaFix,
    entryPoints: ['src/core/openWorker.ts'],
    outfile: 'dist/openWorker.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [h5wasmApart, reporter('openWorker')],
  },
  {
    // h5wasm alone (see h5wasmApart): what `import('h5wasm/node')` loads in every node bundle.
    ...common,
    ...importMetaFix,
    sourcemap: false,
    entryPoints: ['node_modules/h5wasm/dist/node/hdf5_hl.js'],
    outfile: 'dist/h5wasm.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [h5wasmBinaryApart, reporter('h5wasm')],
  },
  {
    ...common,
    entryPoints: ['src/webview/main.ts'],
    outfile: 'dist/webview.js',
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    plugins: [reporter('webview')],
  },
];

if (fs.existsSync(path.join(root, 'src/cli/main.ts'))) {
  targets.push({
    ...common,
    define: importMetaFix.define,
    banner: { js: '#!/usr/bin/env node\n' + importMetaFix.banner.js },
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    plugins: [h5wasmApart, reporter('cli')],
  });
} else {
  console.log('[build] src/cli/main.ts not present yet: dist/cli.js skipped');
}

function copyCodicons() {
  const from = path.join(root, 'node_modules/@vscode/codicons/dist');
  const to = path.join(root, 'dist/codicons');
  fs.mkdirSync(to, { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(from, f), path.join(to, f));
}

copyCodicons();
// The SIMD kernels first: the core imports them as build/gen/kernelsWasm.ts (base64).
buildWasm();
if (watch) {
  const contexts = await Promise.all(targets.map((t) => esbuild.context(t)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('[build] watching…');
} else {
  const results = await Promise.allSettled(targets.map((t) => esbuild.build(t)));
  const failed = results.filter((r) => r.status === 'rejected');
  if (failed.length) process.exit(1);
  const cli = path.join(root, 'dist/cli.js');
  if (fs.existsSync(cli)) fs.chmodSync(cli, 0o755);
}
