/**
 * Compiles the server's role → permission table (core/roles.ts) into the console at build time as
 * the module `virtual:citysoc-role-permissions`, so the console neither imports the server at run
 * time nor keeps a copy of the table that could drift from it.
 */
import type { Plugin } from 'vite';
import { permissionsOf, ROLES } from '../../core/roles.ts';

const ID = 'virtual:citysoc-role-permissions';
const RESOLVED = '\0' + ID;

export function rolePermissions(): Plugin {
  return {
    name: 'citysoc-role-permissions',
    resolveId: (id) => (id === ID ? RESOLVED : null),
    load(id) {
      if (id !== RESOLVED) return null;
      const table = Object.fromEntries(ROLES.map((r) => [r, permissionsOf([r])]));
      return `export default ${JSON.stringify(table)};`;
    },
  };
}
