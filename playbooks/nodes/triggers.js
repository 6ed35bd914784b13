'use strict';
/** CitySOC triggers: alert in, risk level, schedule, manual. */
const registerShells = require('./lib/shell');

module.exports = function (RED) {
  registerShells(RED, ['citysoc-alert-in', 'citysoc-risk-level', 'citysoc-schedule', 'citysoc-manual']);
};
