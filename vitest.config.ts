import { defineConfig } from 'vitest/config';

// Two tiers, as ARCHITECTURE.md says: unit tests need no I/O; integration tests talk to the
// real servers that .ci/run starts. Both resolve workspace packages to their TypeScript source.
const resolve = { conditions: ['@tidings/source', 'import', 'default'] };

export default defineConfig({
  resolve,
  ssr: { resolve: { conditions: ['@tidings/source'], externalConditions: ['@tidings/source'] } },
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        resolve,
        ssr: { resolve: { conditions: ['@tidings/source'], externalConditions: ['@tidings/source'] } },
        test: {
          name: 'unit',
          include: [
            'packages/*/src/**/*.unit.test.ts',
            'examples/*/src/**/*.unit.test.ts',
            'test/**/*.unit.test.ts',
            'bench/**/*.unit.test.ts',
          ],
        },
      },
      {
        resolve,
        ssr: { resolve: { conditions: ['@tidings/source'], externalConditions: ['@tidings/source'] } },
        test: {
          name: 'int',
          include: [
            'packages/*/src/**/*.int.test.ts',
            'examples/*/src/**/*.int.test.ts',
            'test/**/*.int.test.ts',
            'bench/**/*.int.test.ts',
          ],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          globalSetup: ['./test/build-once.ts'],
        },
      },
    ],
  },
});
