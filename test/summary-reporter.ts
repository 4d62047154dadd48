/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, after vitest's own
 * summary, so scripts and CI logs can read the outcome without parsing vitest's output.
 * A failure outside any test counts too, once per file or suite it broke: a file that fails
 * to load (syntax or import error), a failing beforeAll/afterAll, and every unhandled error.
 * Otherwise a run whose only failure is a broken file would close on "0 failed".
 */
import type { Reporter, TestModule, TestSuite } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>, errors: ReadonlyArray<unknown>): void {
    const count = { passed: 0, failed: 0, skipped: 0 };
    for (const module of modules) {
      let testsFailed = 0;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') count.passed += 1;
        else if (state === 'failed') testsFailed += 1;
        else count.skipped += 1;
      }
      const broken = [module, ...module.children.allSuites()].filter(hasOwnErrors).length;
      count.failed += testsFailed + broken;
      // A file vitest marks failed must never add up to zero failures.
      if (module.state() === 'failed' && testsFailed + broken === 0) count.failed += 1;
    }
    count.failed += errors.length;
    console.log(`\ntests: ${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped`);
  }
}

/** Errors of the file or suite itself (collection, beforeAll, afterAll), not of its tests. */
function hasOwnErrors(entity: TestModule | TestSuite): boolean {
  return entity.errors().length > 0;
}
