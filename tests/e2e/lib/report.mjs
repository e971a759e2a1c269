// "PASS <name>" / "FAIL <name>: reason" lines and the exit code of an e2e script.

export class Report {
  constructor() {
    this.passed = 0;
    this.failed = 0;
  }

  /** Runs one named check; prints PASS or FAIL; returns whether it passed. */
  async check(name, fn) {
    try {
      await fn();
      this.passed++;
      console.log(`PASS ${name}`);
      return true;
    } catch (error) {
      this.failed++;
      const reason = String(error?.message ?? error)
        .replace(/\s+/g, ' ')
        .slice(0, 600);
      console.log(`FAIL ${name}: ${reason}`);
      if (process.env.E2E_VERBOSE && error?.stack) console.error(error.stack);
      return false;
    }
  }

  /** Records a failure that happened outside any check (setup, teardown). */
  fail(name, error) {
    this.failed++;
    console.log(
      `FAIL ${name}: ${String(error?.message ?? error)
        .replace(/\s+/g, ' ')
        .slice(0, 600)}`,
    );
  }

  /** Process exit code: 0 only when something passed and nothing failed. */
  get exitCode() {
    return this.failed === 0 && this.passed > 0 ? 0 : 1;
  }
}
