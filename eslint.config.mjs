// Lint rules, including the layering the project depends on: core never imports vscode,
// and only the session module talks to node-zookeeper-client.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.vscode-test/**', '*.mjs', 'test/**/*.mjs', 'test/**/*.js'] },
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'it', 'describe', 'suite'] }] }],
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { paths: [{ name: 'node-zookeeper-client', message: 'Only src/core/zkSession.ts may use the ZooKeeper client.' }] }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'vscode', message: 'src/core is pure: it must never import vscode.' },
          { name: 'node-zookeeper-client', message: 'Only src/core/zkSession.ts may use the ZooKeeper client.' },
        ],
      }],
    },
  },
  {
    files: ['src/core/zkSession.ts'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'src/core is pure: it must never import vscode.' }] }] },
  },
);
