'use strict';
// certhall browser tests: `node run.js [REGEX]` with CERTHALL_URL and CERTHALL_STACK set
// (tools/test.sh runs them against its throwaway stack, after the API tests).
const lib = require('./lib');
const flows = require('./flows');
const existing = require('./flows_existing');
const halls = require('./flows_halls');
const business = require('./flows_business');

lib.run([...flows.tests, ...business.tests, ...existing.tests, ...halls.tests], process.argv[2] ? new RegExp(process.argv[2]) : null).catch((e) => {
  lib.log(`not ok - browser tests: ${e.stack || e}`);
  process.exit(1);
});
