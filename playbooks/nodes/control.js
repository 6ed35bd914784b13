'use strict';
/** CitySOC control nodes: approval (pauses the run for a person's answer) and dry run. */
const registerShells = require('./lib/shell');

module.exports = function (RED) {
  registerShells(RED, ['citysoc-approval', 'citysoc-dry-run']);
};
