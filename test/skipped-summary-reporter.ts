import type { Reporter, TestModule } from 'vitest/node';

/**
 * Ends every run with the tests it skipped and why (the note each gave to
 * `context.skip`), so that a green run cannot hide tests that need something
 * this machine lacks: PostgreSQL, Chromium. Nothing is printed when nothing
 * was skipped.
 */
export default class SkippedSummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const reasons = new Map<string, number>();
    for (const testModule of testModules) {
      for (const test of testModule.children.allTests()) {
        const result = test.result();
        if (result.state !== 'skipped') continue;
        const reason = result.note ?? 'skipped in the code (it.skip, describe.skip or todo), no reason given';
        reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
      }
    }
    if (reasons.size === 0) return;
    const total = [...reasons.values()].reduce((sum, count) => sum + count, 0);
    const lines = [...reasons].map(([reason, count]) => `  ${count} ${count === 1 ? 'test' : 'tests'}: ${reason}`);
    process.stdout.write(`\n${total} ${total === 1 ? 'test was' : 'tests were'} SKIPPED:\n${lines.join('\n')}\n`);
  }
}
