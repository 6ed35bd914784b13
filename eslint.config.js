'use strict';
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  { ignores: ['dist/**', '.stack/**', '.scratch/**', 'node_modules/**', 'console/**', '**/target/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  // One direction of imports (ARCHITECTURE.md, layout): core <- adapters <- domains <- server.
  ...layers(),
);

/**
 * The dependency rule as lint: a lower layer never imports a higher one. Tests and contract
 * suites of a layer may build real adapters, but never reach up into server/.
 */
function layers() {
  const up = (folders) => ({
    regex: `^(\\.\\./)+(${folders.join('|')})(/|$)`,
    message: 'imports go one way: core ← adapters ← domain folders ← server (see eslint.config.js)',
  });
  const DOMAINS = ['collectors', 'analytics', 'policy', 'identity', 'events', 'alerts', 'cases', 'playbooks', 'compliance'];
  const TESTS = ['**/*.test.ts', '**/*.itest.ts', '**/*.contract.ts', '**/test-support/**', '**/test-support.ts'];
  const within = (folders, globs) => folders.flatMap((d) => globs.map((g) => `${d}/${g}`));
  const rule = (folders) => ({ 'no-restricted-imports': ['error', { patterns: [up(folders)] }] });
  return [
    { files: ['core/**/*.ts'], ignores: TESTS, rules: rule(['adapters', ...DOMAINS, 'server', 'console', 'stack', 'bench']) },
    { files: within(['core'], TESTS), rules: rule([...DOMAINS, 'server', 'console']) },
    { files: ['adapters/**/*.ts'], ignores: TESTS, rules: rule([...DOMAINS, 'server', 'console']) },
    // An adapter's tests may check it with a domain's own verifier (the audit trail's), never with server/.
    { files: within(['adapters'], TESTS), rules: rule(['server', 'console']) },
    { files: DOMAINS.map((d) => `${d}/**/*.ts`), ignores: [...TESTS, 'analytics/differential/**'], rules: rule(['adapters', 'server', 'console', 'bench']) },
    { files: [...within(DOMAINS, TESTS), 'analytics/differential/**/*.ts'], rules: rule(['server', 'console']) },
  ];
}
