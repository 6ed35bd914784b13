// Prints the acceptance figure of a rule corpus and every rejected file with its reason.
// Usage: npx tsx analytics/sigma/scripts/validate-corpus.ts <dir|file>...
import { summarize, validateRules } from '../validate';

const paths = process.argv.slice(2);
const results = validateRules(paths);
for (const r of results) if (r.status !== 'ok') console.log(`${r.status.toUpperCase()} ${r.reason}`);
const s = summarize(results);
console.log(`files ${s.total}  ok ${s.ok}  unsupported ${s.unsupported}  error ${s.error}  acceptance ${(s.acceptance * 100).toFixed(2)}%`);
