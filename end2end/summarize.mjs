// Prints the plain "N passed, N failed" line CI reads, from Playwright's JSON report.
import { readFileSync } from 'node:fs';
const file = process.argv[2] ?? 'test-results/results.json';
let report;
try {
  report = JSON.parse(readFileSync(file, 'utf8'));
} catch (e) {
  console.log(`e2e: 0 passed, 1 failed (no report at ${file}: ${e.message})`);
  process.exit(1);
}
const s = report.stats ?? {};
const passed = (s.expected ?? 0) + (s.flaky ?? 0);
const failed = s.unexpected ?? 0;
const skipped = s.skipped ?? 0;
const errors = (report.errors ?? []).length;
console.log(`e2e: ${passed} passed, ${failed + errors} failed, ${skipped} skipped`);
process.exit(failed + errors > 0 || passed === 0 ? 1 : 0);
