#!/usr/bin/env node
// The import boundaries of the packages (issue 12), checked on the import statements of packages/*/src:
//   1. packages/core/src imports no `node:` module (the core runs in browsers and workers; its node:crypto provider
//      asks the running Node for node:crypto with process.getBuiltinModule), and no bare module but the ones in
//      CORE_BARE_ALLOWED (its only dependencies are @noble/*);
//   2. no import runs up the layers of CORE_LAYERS: a module imports its own layer or a lower one;
//   3. no import cycle between modules of packages/core/src, neither between files nor between the entries of
//      CORE_LAYERS (directories and top files: errors/ may not import wire/ when wire/ imports errors/);
//      type-only imports count, a cycle of types is a cycle of design (one documented pair: TYPE_ONLY_EDGES);
//   4. a package imports another only through what that package exports, and only a package of a lower
//      layer in PACKAGE_LAYERS (so the core imports no adapter, and no package reaches another's internals);
//   5. no file in packages/*/src is over MAX_LINES lines.
// Every violation is reported, then the exit status is 1. Plain Node, no dependency: `pnpm lint` runs it.
// Usage: node scripts/check-layers.mjs [repository root]   (default: the repository this script is in)
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The layers of packages/core/src, lowest first. A key is a directory or a file directly under src/. */
export const CORE_LAYERS = [
  ['der', 'bio', 'errors', 'wire', 'constants.ts'],
  ['crypto', 'record', 'keys', 'cert', 'session'],
  ['handshake'],
  ['engine'],
  ['ssl', 'ssl.ts', 'ssl-context.ts'],
  ['driver'],
  ['api.ts'],
  ['index.ts', 'client.ts'],
];

/**
 * Type-only imports that are not edges of the import graph, one documented pair: SSL_CTX and SSL name each other
 * in their public signatures (an Ssl is made from its SslContext; the context's callbacks receive that Ssl), as
 * OpenSSL's ssl.h declares both. Only an `import type` statement from the first file to the second is exempt.
 */
export const TYPE_ONLY_EDGES = [['ssl-context.ts', 'ssl.ts']];

/** Bare modules packages/core/src may import: a name, or a scope ending in '/'. */
export const CORE_BARE_ALLOWED = ['@noble/'];

/** The workspace packages by layer, lowest first (the directory names under packages/). */
export const PACKAGE_LAYERS = [['root-store'], ['core'], ['crypto-null', 'node', 'web-streams'], ['websocket', 'fast-check'], ['cli']];

/** The most lines a source file of a package may have. */
export const MAX_LINES = 450;

const SOURCE = /\.(?:[mc]?ts|[mc]?js|tsx)$/;

/** `text` with its comments blanked out (strings, template literals and regular expressions kept as they are). */
function stripComments(text) {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '/' && next === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < text.length && text[j] !== c) j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const IMPORT_PATTERNS = [
  /(?:^|[\s;}])(?:import|export)\s+(?!type\s*\()[^'";]*?\bfrom\s*(['"])([^'"]+)\1/g,
  /(?:^|[\s;}])import\s*(['"])([^'"]+)\1/g,
  /\bimport\s*\(\s*(['"])([^'"]+)\1\s*\)/g,
  /\brequire\s*\(\s*(['"])([^'"]+)\1\s*\)/g,
];

/** The module specifiers a source file imports, with their line numbers. */
export function importsOf(text) {
  const code = stripComments(text);
  const found = new Map();
  for (const re of IMPORT_PATTERNS) {
    for (const m of code.matchAll(re)) {
      const at = m.index + m[0].lastIndexOf(m[1] + m[2]);
      if (!found.has(at)) found.set(at, { spec: m[2], line: code.slice(0, at).split('\n').length });
    }
  }
  return [...found.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (SOURCE.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** The source file a relative import names (`./x.js` is written for `./x.ts`), or null. */
function resolveRelative(from, spec) {
  const base = resolve(dirname(from), spec);
  const candidates = [base, base.replace(/\.([mc]?)js$/, '.$1ts'), `${base}.ts`, join(base, 'index.ts')];
  for (const c of candidates) if (existsSync(c) && statSync(c).isFile()) return c;
  return null;
}

function layerIndex(table, key) {
  return table.findIndex((layer) => layer.includes(key));
}

/** The layer key of a file of packages/core/src: its first directory, or its name when directly under src/. */
function coreKey(coreSrc, file) {
  return relative(coreSrc, file).split(sep)[0];
}

/** The strongly connected components with a cycle (Tarjan), each with one shortest cycle: enough to act on. */
function cycles(graph) {
  let index = 0;
  const idx = new Map();
  const low = new Map();
  const stack = [];
  const on = new Set();
  const comps = [];
  const strong = (v) => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    on.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        strong(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v), idx.get(w)));
    }
    if (low.get(v) === idx.get(v)) {
      const comp = [];
      let w;
      do {
        w = stack.pop();
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (graph.get(v) ?? new Set()).has(v)) comps.push(comp);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) strong(v);
  return comps.map((comp) => ({ comp, cycle: shortestCycle(graph, comp) }));
}

/** A shortest way back from the first module of a strongly connected component to itself, inside it. */
function shortestCycle(graph, comp) {
  const inside = new Set(comp);
  const start = [...comp].sort()[0];
  const prev = new Map([[start, null]]);
  const queue = [start];
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q];
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (w === start) {
        const path = [start];
        for (let u = v; u !== start; u = prev.get(u)) path.splice(1, 0, u);
        return [...path, start];
      }
      if (inside.has(w) && !prev.has(w)) {
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

/** Every violation in the repository at `root`, as lines of text (empty: all rules hold). */
export function check(root) {
  const problems = [];
  const packagesDir = join(root, 'packages');
  const packages = existsSync(packagesDir) ? readdirSync(packagesDir).filter((n) => existsSync(join(packagesDir, n, 'package.json'))).sort() : [];
  const manifests = new Map(packages.map((n) => [n, JSON.parse(readFileSync(join(packagesDir, n, 'package.json'), 'utf8'))]));
  const byName = new Map(packages.map((n) => [manifests.get(n).name, n]));
  const coreSrc = join(packagesDir, 'core', 'src');
  const graph = new Map();
  const show = (f) => relative(root, f).split(sep).join('/');

  for (const pkg of packages) {
    const src = join(packagesDir, pkg, 'src');
    const isCore = pkg === 'core';
    const pkgLayer = layerIndex(PACKAGE_LAYERS, pkg);
    if (pkgLayer < 0) problems.push(`packages/${pkg}: not in PACKAGE_LAYERS of scripts/check-layers.mjs (add it to a layer)`);
    for (const file of walk(src)) {
      const where = show(file);
      const text = readFileSync(file, 'utf8');
      const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
      if (lines > MAX_LINES) problems.push(`${where}: ${lines} lines, over the ${MAX_LINES}-line limit`);
      const key = isCore ? coreKey(coreSrc, file) : null;
      const fromLayer = isCore ? layerIndex(CORE_LAYERS, key) : -1;
      if (isCore && fromLayer < 0) problems.push(`${where}: '${key}' is not in CORE_LAYERS of scripts/check-layers.mjs (add it to a layer)`);
      if (isCore) graph.set(file, graph.get(file) ?? new Set());
      for (const { spec, line } of importsOf(text)) {
        const at = `${where}:${line}`;
        if (spec.startsWith('.')) {
          const target = resolveRelative(file, spec);
          if (!target) {
            problems.push(`${at}: '${spec}' names no source file`);
            continue;
          }
          if (!target.startsWith(src + sep)) {
            problems.push(`${at}: '${spec}' reaches outside packages/${pkg}/src (import another package by its name and its exports)`);
            continue;
          }
          if (!isCore) continue;
          const typeOnly = /^\s*import\s+type\s/.test(text.split('\n')[line - 1] ?? '');
          const exempt = typeOnly && TYPE_ONLY_EDGES.some(([a, b]) => relative(coreSrc, file).split(sep).join('/') === a && relative(coreSrc, target).split(sep).join('/') === b);
          if (!exempt) graph.get(file).add(target);
          const toKey = coreKey(coreSrc, target);
          const toLayer = layerIndex(CORE_LAYERS, toKey);
          if (fromLayer >= 0 && toLayer > fromLayer) {
            problems.push(`${at}: '${spec}' runs up the layers: ${key} (layer ${fromLayer}) imports ${toKey} (layer ${toLayer})`);
          }
          continue;
        }
        if (spec.startsWith('node:') || spec.startsWith('#')) {
          if (isCore && spec.startsWith('node:')) problems.push(`${at}: '${spec}': packages/core/src imports no node: module (it runs in browsers and workers)`);
          continue;
        }
        const parts = spec.split('/');
        const name = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
        const sub = `.${spec.slice(name.length)}`;
        const target = byName.get(name);
        if (target === undefined) {
          if (isCore && !CORE_BARE_ALLOWED.some((a) => (a.endsWith('/') ? spec.startsWith(a) : name === a))) {
            problems.push(`${at}: '${spec}': packages/core/src imports only ${CORE_BARE_ALLOWED.map((a) => (a.endsWith('/') ? `${a}*` : a)).join(', ')}`);
          }
          continue;
        }
        const exportsField = manifests.get(target).exports;
        const exported = typeof exportsField === 'object' && exportsField !== null && !Array.isArray(exportsField) && Object.keys(exportsField).some((k) => k.startsWith('.'))
          ? Object.keys(exportsField).some((k) => k === sub || (k.includes('*') && sub.startsWith(k.slice(0, k.indexOf('*')))))
          : sub === '.';
        if (!exported) problems.push(`${at}: '${spec}' is not exported by ${name}: no package imports another's internals`);
        const toLayer = layerIndex(PACKAGE_LAYERS, target);
        if (target === pkg) problems.push(`${at}: '${spec}': packages/${pkg}/src imports its own package by name (use a relative import)`);
        else if (pkgLayer >= 0 && toLayer >= pkgLayer) {
          problems.push(`${at}: '${spec}' runs up the package layers: ${pkg} (layer ${pkgLayer}) imports ${target} (layer ${toLayer})`);
        }
      }
    }
  }

  const name = (f) => relative(coreSrc, f).split(sep).join('/');
  for (const { comp, cycle } of cycles(graph)) {
    const rest = comp.length > cycle.length - 1 ? ` (the cycle's component also holds ${comp.filter((f) => !cycle.includes(f)).map(name).sort().join(', ')})` : '';
    problems.push(`import cycle in packages/core/src: ${cycle.map(name).join(' -> ')}${rest}`);
  }
  const keys = new Map();
  for (const [file, targets] of graph) {
    const from = coreKey(coreSrc, file);
    const set = keys.get(from) ?? new Set();
    for (const t of targets) if (coreKey(coreSrc, t) !== from) set.add(coreKey(coreSrc, t));
    keys.set(from, set);
  }
  for (const { comp, cycle } of cycles(keys)) {
    const rest = comp.length > cycle.length - 1 ? ` (the cycle's component also holds ${comp.filter((k) => !cycle.includes(k)).sort().join(', ')})` : '';
    problems.push(`import cycle between the modules of packages/core/src: ${cycle.join(' -> ')}${rest}`);
  }
  return problems;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = resolve(process.argv[2] ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
  const problems = check(root);
  if (problems.length > 0) {
    console.error(`check-layers: ${problems.length} violation${problems.length === 1 ? '' : 's'} of the import boundaries (rules at the top of scripts/check-layers.mjs):`);
    for (const p of problems) console.error(`  ${p}`);
    process.exit(1);
  }
  console.log('check-layers: the import boundaries hold (layers, no cycle, no node: in the core, no internals across packages, files within the line limit)');
}
