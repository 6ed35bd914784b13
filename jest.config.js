/**
 * Three projects: `unit` (pure logic and the embedded engines: SQLite, spool, in-process bus),
 * `console` (the web console in Chromium against a real embedded platform) and `integration` (`*.itest.ts`: the real Elasticsearch, OpenSearch, Kafka and Flink, started
 * by the global setup through `citysoc stack up`).
 */
const transform = { '^.+\\.tsx?$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }] };
const common = {
  transform,
  testEnvironment: 'node',
  // Anchored at the root: a checkout inside a folder named `console` must not lose every test.
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.stack/', '<rootDir>/console/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.stack/'],
};
module.exports = {
  reporters: ['default', '<rootDir>/.ci/summary-reporter.js'],
  // Two cores shared with the engines: a test that takes 2 s alone can take 10 s under load.
  testTimeout: 30000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/**/*.test.ts'] },
    {
      // The console in Chromium against a real platform, and its message catalogues.
      ...common,
      displayName: 'console',
      testMatch: ['<rootDir>/console/e2e/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '<rootDir>/dist/', '/.stack/'],
    },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/**/*.itest.ts'],
      globalSetup: '<rootDir>/stack/jest-global-setup.ts',
      globalTeardown: '<rootDir>/stack/jest-global-teardown.ts',
      testTimeout: 120000,
    },
  ],
};
