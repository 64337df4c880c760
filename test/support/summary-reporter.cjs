'use strict';
// Mocha's spec reporter plus one closing line, "N passed, M failed", alone on a line: CI reads that
// line rather than mocha's own summary. Hooks that fail count as failures too.
const Mocha = require('mocha');
const { EVENT_RUN_END, EVENT_TEST_PASS, EVENT_TEST_FAIL } = Mocha.Runner.constants;

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    let passed = 0;
    let failed = 0;
    runner.on(EVENT_TEST_PASS, () => { passed += 1; });
    runner.on(EVENT_TEST_FAIL, () => { failed += 1; });
    runner.once(EVENT_RUN_END, () => {
      // The spec reporter registered its epilogue on EVENT_RUN_END first (in super()), so this
      // line comes after it. Written synchronously: mocha's --exit may end the process next.
      process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
    });
  }
}

module.exports = SummaryReporter;
