// Jest runs in ESM mode (middy 7 and fauxqs are ESM-only). ts-jest only transpiles:
// `npm run typecheck` is the type gate, so tests stay fast.
const tsJest = ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  testEnvironment: 'node',
};

export default {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/tests/unit/**/*.test.ts'] },
    // Each store against a real table: one DynamoDB Local per test file (tests/support/dynamo.ts).
    { ...common, displayName: 'adapter', testMatch: ['<rootDir>/tests/adapter/**/*.test.ts'] },
    { ...common, displayName: 'infra', testMatch: ['<rootDir>/tests/infra/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/tests/integration/**/*.test.ts'],
      // Tells tests/support/runtime.ts whether a test failed, to keep the runtime's log only then.
      testEnvironment: '<rootDir>/tests/support/environment.js',
    },
  ],
  testTimeout: 60000,
};
