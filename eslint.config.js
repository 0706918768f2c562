import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Module boundaries from docs/architecture.md, enforced rather than hoped for. */
const leafModules = ['telephony', 'stt', 'dialog', 'tts', 'prompts', 'nlu'];
const boundary = (self) => ({
  files: [`src/${self}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: leafModules
          .filter((m) => m !== self && !(self === 'dialog' && (m === 'nlu' || m === 'prompts')))
          .map((m) => ({ group: [`**/${m}/*`, `../${m}/*`], message: `only src/call wires ${self} to ${m}` })),
      },
    ],
  },
});

export default tseslint.config(
  { ignores: ['node_modules', 'dist', '.cache', 'data', 'coverage', 'native', '*.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'read configuration in src/config.ts only' },
      ],
      'max-lines': ['warn', { max: 300, skipBlankLines: true, skipComments: true }],
    },
  },
  ...leafModules.map(boundary),
  { files: ['src/call/call-session.ts'], rules: { 'max-lines': ['error', { max: 220, skipBlankLines: true, skipComments: true }] } },
  { files: ['src/config.ts', 'scripts/**/*.ts', 'test/**/*.ts'], rules: { 'no-restricted-properties': 'off' } },
  { files: ['test/**/*.ts', 'scripts/**/*.ts'], rules: { 'max-lines': 'off' } },
);
