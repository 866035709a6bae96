// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = [
  'assert', 'buffer', 'child_process', 'cluster', 'crypto', 'dgram', 'dns', 'events', 'fs', 'fs/promises', 'http',
  'http2', 'https', 'module', 'net', 'os', 'path', 'perf_hooks', 'process', 'readline', 'stream', 'tls', 'url',
  'util', 'v8', 'vm', 'worker_threads', 'zlib',
];

const electronOnlyHere = {
  name: 'electron',
  message: "Only main/electron and preload/electron.ts may import 'electron' (DESIGN §3): inject an interface instead.",
};

/**
 * DESIGN §3 dependency rules. Patterns match the import string, so relative paths are matched by their segments.
 * test/unit/lint-boundaries.test.ts proves each rule catches a violation.
 */
const boundaries = {
  renderer: {
    paths: [
      electronOnlyHere,
      ...['better-sqlite3', 'axios', 'ws', 'sharp', '@line/bot-sdk'].map((name) => ({
        name,
        message: 'The renderer talks only to window.omo: no network, database or Node modules (DESIGN §3).',
      })),
      ...NODE_BUILTINS.map((name) => ({ name, message: 'The renderer cannot use Node modules (DESIGN §3).' })),
    ],
    patterns: [
      { regex: '^node:', message: 'The renderer cannot use Node modules (DESIGN §3).' },
      { regex: '(^|/)main(/|$)', message: 'The renderer cannot import main (DESIGN §3): call window.omo.' },
      {
        regex: '(^|/)preload/(?!contract(/|$))',
        message: 'The renderer may import only preload/contract, and only its types (DESIGN §3).',
      },
      {
        regex: '(^|/)preload/contract(/|$)',
        allowTypeImports: true,
        message: 'The renderer may import only types from preload/contract (use `import type`).',
      },
    ],
  },
  notRenderer: { regex: '(^|/)renderer(/|$)', message: 'Nothing outside the renderer imports renderer code (DESIGN §3).' },
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'coverage/**', 'test/fixtures/lint/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': 'off',
      '@typescript-eslint/no-restricted-imports': ['error', boundaries.renderer],
    },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/electron/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { paths: [electronOnlyHere], patterns: [boundaries.notRenderer] }],
    },
  },
  {
    files: ['main/electron/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [boundaries.notRenderer] }],
    },
  },
  {
    files: ['preload/**/*.ts'],
    ignores: ['preload/electron.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [electronOnlyHere],
          patterns: [
            boundaries.notRenderer,
            { regex: '(^|/)main(/|$)', message: 'The preload cannot import main (DESIGN §3).' },
          ],
        },
      ],
    },
  },
  {
    files: ['preload/electron.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            boundaries.notRenderer,
            { regex: '(^|/)main(/|$)', message: 'The preload cannot import main (DESIGN §3).' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.{ts,tsx}'],
    rules: { 'no-console': 'off' },
  },
);
