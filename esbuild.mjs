// Bundles the extension and the CLI into dist/ (one file each, node-zookeeper-client inlined). The
// CLI is started cold for every command, so the libraries only a few commands need (Java key stores,
// XML) go into files of their own, read only when used: V8 parses every byte of a bundle it loads.
import * as esbuild from 'esbuild';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

/** The CLI's on-demand files: each bundles the packages (and package paths) listed, keyed by the import path. */
const CLI_SIDE_FILES = {
  'cli-stores.js': ['jks-js', 'jks-js/lib/keystore/PKCS12Parser'],
  'cli-xml.js': ['fast-xml-parser'],
};
const sideFileOf = new Map(Object.entries(CLI_SIDE_FILES).flatMap(([file, imports]) => imports.map((path) => [path, file])));

/** In the CLI bundle, an import of a listed package becomes a require of its side file, next to cli.js. */
const sideFiles = {
  name: 'cli-side-files',
  setup(build) {
    build.onResolve({ filter: /^(jks-js|fast-xml-parser)(\/|$)/ }, (args) => {
      if (!sideFileOf.has(args.path)) {
        throw new Error(`${args.path} is not listed in CLI_SIDE_FILES (esbuild.mjs)`);
      }
      return { path: args.path, namespace: 'cli-side-file' };
    });
    build.onLoad({ filter: /.*/, namespace: 'cli-side-file' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(`./${sideFileOf.get(args.path)}`)})[${JSON.stringify(args.path)}];`,
      loader: 'js',
    }));
    build.onResolve({ filter: /^\.\/cli-[a-z]+\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
};

const cliSideFiles = Object.entries(CLI_SIDE_FILES).map(([file, imports]) =>
  esbuild.context({
    ...common,
    minify: true,
    stdin: { contents: `module.exports = {${imports.map((path) => `${JSON.stringify(path)}: require(${JSON.stringify(path)})`).join(', ')}};`, resolveDir: import.meta.dirname, loader: 'js' },
    outfile: `dist/${file}`,
  }),
);

const contexts = await Promise.all([
  // Banner and footer timestamp the bundle's own evaluation, so activation can report it.
  esbuild.context({
    ...common,
    entryPoints: ['src/extension.ts'],
    outfile: 'dist/extension.js',
    external: ['vscode'],
    banner: { js: 'globalThis.__hiveZkEval = { start: performance.now() };' },
    footer: { js: 'globalThis.__hiveZkEval.end = performance.now();' },
  }),
  // Minified always: the installed CLI is this build (npm pack), and a smaller file compiles sooner.
  esbuild.context({ ...common, minify: true, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' }, plugins: [sideFiles] }),
  ...cliSideFiles,
]);
if (watch) {
  await Promise.all(contexts.map((ctx) => ctx.watch()));
} else {
  await Promise.all(contexts.map((ctx) => ctx.rebuild()));
  await Promise.all(contexts.map((ctx) => ctx.dispose()));
}
