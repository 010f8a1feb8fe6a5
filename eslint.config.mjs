// Lint rules, including the layering the project depends on: core never imports vscode or the UI,
// only src/core/zk/ talks to node-zookeeper-client or reads the wire format (its seam, library.ts),
// and the CLI never imports vscode.
// The build and test scripts (.mjs) are linted too.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NO_ZK_CLIENT = { name: 'node-zookeeper-client', message: 'Only src/core/zk/ may use the ZooKeeper client.' };
const NO_VSCODE_IN_CORE = { name: 'vscode', message: 'src/core is pure: it must never import vscode.' };
const NO_WIRE = {
  group: ['**/zk/wire', '**/zk/wireMultiRead', '**/zk/socketHook', '**/zk/library', '**/zk/libraryApi'],
  message: 'Only src/core/zk/ reads the ZooKeeper wire format or the client library: use the session (and zk/batchedReply for replies read in place).',
};
const NO_UI_FROM_CORE = { group: ['**/ui', '**/ui/**', '**/extension', '**/cli', '**/cli/**'], message: 'src/core must not depend on the UI or the CLI: the dependency runs ui → core and cli → core only.' };

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.vscode-test/**', 'test-results/**', 'test/**/*.js'] },
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] }],
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [NO_ZK_CLIENT] }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_ZK_CLIENT], patterns: [NO_WIRE] }] },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_VSCODE_IN_CORE, NO_ZK_CLIENT], patterns: [NO_UI_FROM_CORE, NO_WIRE] }] },
  },
  {
    files: ['src/core/zk/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [NO_VSCODE_IN_CORE], patterns: [NO_UI_FROM_CORE] }] },
  },
  {
    files: ['src/cli.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [NO_ZK_CLIENT, { name: 'vscode', message: 'The CLI runs without VS Code: it must never import vscode.' }], patterns: [{ group: ['**/ui', '**/ui/**'], message: 'The CLI shares the core only.' }, NO_WIRE] }],
    },
  },
  {
    files: ['**/*.mjs'],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
    rules: {
      ...js.configs.recommended.rules,
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      'no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
);
