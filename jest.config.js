/** Three layers (STYLE §9): unit (pure code), int (real Postgres/Redis), e2e (the built service over HTTP). */
const { compilerOptions } = require('./tsconfig.json');

const moduleNameMapper = Object.fromEntries(
  Object.entries(compilerOptions.paths).map(([alias, [target]]) => [
    `^${alias}$`,
    `<rootDir>/${target.replace(/^\.\//, '')}`,
  ]),
);

const transform = {
  '^.+\\.(t|j|mj)s$': [
    '@swc/jest',
    {
      jsc: {
        parser: { syntax: 'typescript', decorators: true },
        transform: { legacyDecorator: true, decoratorMetadata: true },
        target: 'es2022',
      },
      module: { type: 'commonjs' },
    },
  ],
};

const project = (name, testMatch, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  transform,
  moduleNameMapper,
  testMatch,
  // NestJS 12 ships ESM only and Jest cannot require() ESM on Node 20: compile it to CommonJS too.
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/)'],
  ...extra,
});

module.exports = {
  projects: [
    project('unit', [
      '<rootDir>/libs/**/*.unit.spec.ts',
      '<rootDir>/apps/**/*.unit.spec.ts',
      '<rootDir>/test/architecture/*.unit.spec.ts',
    ]),
    project('int', ['<rootDir>/libs/**/*.int.spec.ts', '<rootDir>/apps/**/*.int.spec.ts'], {
      setupFilesAfterEnv: ['<rootDir>/test/setup-timeouts.ts'],
    }),
    project('e2e', ['<rootDir>/test/e2e/**/*.e2e-spec.ts'], {
      slowTestThreshold: 30,
      setupFilesAfterEnv: ['<rootDir>/test/setup-timeouts.ts'],
    }),
    // Restart their own Postgres and Redis; in band, after everything else, for their timing.
    project('faults', ['<rootDir>/test/faults/**/*.fault-spec.ts'], { slowTestThreshold: 120 }),
  ],
};
