#!/usr/bin/env node
'use strict';
// Runs the compiled CLI; `npm install` builds it (the prepare script), `npm run build` rebuilds it.
let cli;
try {
  cli = require('../dist/server/cli.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND') {
    process.stderr.write('citysoc: the compiled CLI is missing; run `npm run build` (npm install does it for you)\n');
    process.exit(2);
  }
  throw e;
}
cli.main(process.argv).then((code) => {
  process.exitCode = code;
});
