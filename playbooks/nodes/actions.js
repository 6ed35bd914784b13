'use strict';
/** CitySOC actions: each performed as the playbook through CitySOC's application services. */
const registerShells = require('./lib/shell');

module.exports = function (RED) {
  registerShells(
    RED,
    [
      'citysoc-isolate-account',
      'citysoc-release-account',
      'citysoc-block-source',
      'citysoc-enrich',
      'citysoc-search-events',
      'citysoc-update-alert',
      'citysoc-open-case',
      'citysoc-add-to-case',
      'citysoc-notify',
      'citysoc-http-request',
    ],
    {
      // Kept in Node-RED's credential store, encrypted with the platform's credential secret.
      'citysoc-http-request': { credentials: { user: { type: 'text' }, password: { type: 'password' }, token: { type: 'password' } } },
    },
  );
};
