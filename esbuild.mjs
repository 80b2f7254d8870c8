// The static files as the forum serves them: `make static` (a step of make dev, test, synth).
//
// Every file is written to build/static/ under a name that holds its content's hash
// (css/forum.<hash>.css), so that browsers and CloudFront may keep it for a year, and
// build/static.json says which name each source file got, for the site function (whose
// environment carries it: infra/site.py) and the local gateway.
//
// The JavaScript of each kind of page is one bundled, minified module: web/js/main.js with
// the script that its page table names for that kind (`kind: () => import('./file.js'),`),
// every other page's script left out, so a page needs one request for all its code; main.js
// alone is built too (which bundle a page names is the site's choice: pages/static.py). The
// table is read from main.js itself: a new page script needs its line there, nothing here.

import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import * as esbuild from 'esbuild';

const ROOT = path.dirname(fileURLToPath(import.meta.url));
const WEB = path.join(ROOT, 'web');
const MAIN = path.join(WEB, 'js', 'main.js');
const OUT = path.join(ROOT, 'build', 'static');
const MANIFEST = path.join(ROOT, 'build', 'static.json');
// Browsers that run ES modules and the syntax the scripts use.
const TARGET = ['es2022'];
// Files copied as they are (under their hashed names).
const COPIED = new Set(['.svg', '.png', '.ico', '.webp', '.woff2']);

const TABLE_LINE = /^\s*(?:'([^']+)'|"([^"]+)"|([A-Za-z_$][\w$-]*))\s*:\s*\(\)\s*=>\s*import\(\s*['"](\.\/[^'"]+)['"]\s*\)/gm;

/** The page table of main.js: {kind: absolute path of its script}. */
export function pageTable(source) {
  const table = {};
  for (const match of source.matchAll(TABLE_LINE)) {
    const kind = match[1] ?? match[2] ?? match[3];
    table[kind] = path.resolve(path.dirname(MAIN), match[4]);
  }
  const imports = source.match(/\bimport\s*\(/g)?.length ?? 0;
  if (imports !== Object.keys(table).length) {
    throw new Error(
      `web/js/main.js has ${imports} dynamic imports but ${Object.keys(table).length} page ` +
        "table lines; write each as  kind: () => import('./file.js'),",
    );
  }
  return table;
}

/** The hashed name of a file: dir/name.<10 hex digits of its SHA-256>.ext */
export function hashedName(relative, contents) {
  const hash = createHash('sha256').update(contents).digest('hex').slice(0, 10);
  const { dir, name, ext } = path.posix.parse(relative);
  return path.posix.join(dir, `${name}.${hash}${ext}`);
}

// Every dynamic import of main.js but the one of this kind's script resolves to this stub:
// the table keeps its shape, and the other pages' code is not in the bundle.
function onlyPage(script) {
  return {
    name: 'only-this-page',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind !== 'dynamic-import' || args.importer !== MAIN) return undefined;
        if (script && path.resolve(path.dirname(MAIN), args.path) === script) return undefined;
        return { path: 'another-page', namespace: 'only-this-page' };
      });
      build.onLoad({ filter: /.*/, namespace: 'only-this-page' }, () => ({
        contents: "export function start() { throw new Error('not the script of this page'); }",
        loader: 'js',
      }));
    },
  };
}

async function bundle(script) {
  const result = await esbuild.build({
    entryPoints: [MAIN],
    bundle: true,
    minify: true,
    format: 'esm',
    target: TARGET,
    write: false,
    outdir: OUT,
    legalComments: 'none',
    logLevel: 'warning',
    plugins: [onlyPage(script)],
  });
  return result.outputFiles[0].contents;
}

async function minifiedCss(file) {
  const result = await esbuild.build({
    entryPoints: [file],
    bundle: true,
    minify: true,
    write: false,
    outdir: OUT,
    // Images named in the CSS stay where they are (web/ holds no such reference today).
    external: ['*.svg', '*.png'],
    logLevel: 'warning',
  });
  return result.outputFiles[0].contents;
}

async function filesUnder(dir) {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

export async function build() {
  const table = pageTable(await readFile(MAIN, 'utf8'));
  const outputs = {}; // source name (or page kind) -> [hashed name, contents]
  for (const file of await filesUnder(path.join(WEB, 'css'))) {
    if (file.endsWith('.css')) {
      outputs[path.relative(WEB, file).split(path.sep).join('/')] = await minifiedCss(file);
    }
  }
  for (const file of await filesUnder(WEB)) {
    if (COPIED.has(path.extname(file))) {
      outputs[path.relative(WEB, file).split(path.sep).join('/')] = await readFile(file);
    }
  }
  outputs['js/main.js'] = await bundle(null);
  const pages = {};
  for (const [kind, script] of Object.entries(table)) {
    const contents = await bundle(script);
    pages[kind] = hashedName(`js/main-${kind}.js`, contents);
    outputs[pages[kind]] = contents;
  }
  const files = {};
  await rm(OUT, { recursive: true, force: true });
  for (const [name, contents] of Object.entries(outputs)) {
    const hashed = Object.values(pages).includes(name) ? name : hashedName(name, contents);
    if (hashed !== name) files[name] = hashed;
    await mkdir(path.join(OUT, path.dirname(hashed)), { recursive: true });
    await writeFile(path.join(OUT, hashed), contents);
  }
  const manifest = { files, pages };
  await writeFile(MANIFEST, `${JSON.stringify(manifest, null, 1)}\n`);
  return manifest;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const manifest = await build();
  const count = Object.keys(manifest.files).length + Object.keys(manifest.pages).length;
  const ms = Math.round(performance.now() - started);
  console.log(`static files: ${count} hashed into build/static/ in ${ms} ms`);
}
