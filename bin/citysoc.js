#!/usr/bin/env node
'use strict';
// Runs the compiled CLI; `npm install` builds it (the prepare script), `npm run build` rebuilds it.
let cli;
try {
  // The analytics verbs start without loading the platform (their start-up is the rule cache's).
  cli = require(['detect', 'rules'].includes(process.argv[2]) ? '../dist/analytics/cli/main.js' : '../dist/server/cli.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND') {
    process.stderr.write('citysoc: the compiled CLI is missing; run `npm run build` (npm install does it for you)\n');
    process.exit(2);
  }
  throw e;
}
// A reader that stops early (`citysoc detect ... | head`) is not an error.
process.stdout.on('error', (e) => {
  if (e && e.code === 'EPIPE') process.exit(0);
  throw e;
});
cli.main(process.argv).then((code) => {
  process.exitCode = code;
});
