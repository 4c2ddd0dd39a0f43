/**
 * One jest run for the whole monorepo. TypeScript is compiled by swc (no type-checking here:
 * `pnpm typecheck` does that), and workspace packages resolve to their sources, so tests never
 * wait for a build. Tests that start processes use the built `dist` (see scripts/test).
 */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }];

export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    // The API's test harness, its one entry point besides the index (package.json `exports`).
    '^@caseflow/api/testing$': '<rootDir>/services/api/src/testing.ts',
    '^@caseflow/(sqlite|domain|eventstore|bus|engine|sla|runtime|directory|identity|readmodel|verification|analytics|charts)$': '<rootDir>/packages/$1/src/index.ts',
    '^@caseflow/(relay|api|sla-timer|notifier|system|replay)$': '<rootDir>/services/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/{packages,services}/*/test/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  testTimeout: 30_000,
};
