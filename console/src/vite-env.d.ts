/// <reference types="vite/client" />

declare module 'virtual:citysoc-role-permissions' {
  /** role → the permissions it grants (core/roles.ts, read at build time). */
  const table: Readonly<Record<string, readonly string[]>>;
  export default table;
}
