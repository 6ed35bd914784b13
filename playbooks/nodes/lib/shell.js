'use strict';
/**
 * Registers node types whose behaviour lives in CitySOC's palette (playbooks/palette), which the
 * platform hands to Node-RED as `RED.settings.citysoc`. The shells stay this small so that all
 * logic is typed and tested in one place; outside CitySOC the nodes say so and do nothing.
 */
module.exports = function registerShells(RED, types, options) {
  for (const type of types) {
    RED.nodes.registerType(
      type,
      function CitySocNode(config) {
        RED.nodes.createNode(this, config);
        const palette = RED.settings.citysoc;
        if (!palette || typeof palette.setup !== 'function') {
          this.status({ fill: 'red', shape: 'ring', text: 'needs CitySOC' });
          this.error('this node runs only inside CitySOC (RED.settings.citysoc is not set)');
          return;
        }
        palette.setup(type, this, config);
      },
      (options && options[type]) || {},
    );
  }
};
