/**
 * Node-RED's settings for CitySOC: the editor and admin API under /playbooks/editor, HTTP-in
 * nodes under /playbooks/hooks, and the runtime locked down. Nothing can be installed (palette,
 * npm modules in function nodes), projects are off, telemetry is answered off, diagnostics are
 * off, and the core nodes that would let an author run code or reach the host directly (function,
 * exec, file, watch, raw TCP/UDP/WebSocket, MQTT, and the uncredentialed http request) are not
 * loaded: a playbook acts through CitySOC's palette, whose every action passes the door.
 */
export const EDITOR_ROOT = '/playbooks/editor';
export const HOOKS_ROOT = '/playbooks/hooks';

/** Core node files left out, and why (see the header). */
export const EXCLUDED_CORE_NODES = [
  '10-function.js',
  '90-exec.js',
  '10-file.js',
  '23-watch.js',
  '31-tcpin.js',
  '32-udp.js',
  '22-websocket.js',
  '10-mqtt.js',
  '21-httprequest.js',
];

export interface SettingsInput {
  readonly userDir: string;
  readonly nodesDir: string;
  readonly storageModule: Record<string, unknown>;
  readonly adminAuth: Record<string, unknown>;
  readonly credentialSecret: string;
  readonly contextStore: unknown;
  readonly palette: unknown;
  readonly logHandler: (msg: { level: number; msg?: unknown; type?: string; id?: string }) => void;
  readonly editor: boolean;
}

/** Node-RED's numeric log levels (util/log.js) for the ones CitySOC keeps. */
export const RED_LEVELS = { fatal: 10, error: 20, warn: 30, info: 40 } as const;

export function nodeRedSettings(s: SettingsInput): Record<string, unknown> {
  return {
    userDir: s.userDir,
    nodesDir: [s.nodesDir],
    nodesExcludes: EXCLUDED_CORE_NODES,
    httpAdminRoot: s.editor ? EDITOR_ROOT : false,
    httpNodeRoot: HOOKS_ROOT,
    disableEditor: !s.editor,
    storageModule: s.storageModule,
    adminAuth: s.adminAuth,
    credentialSecret: s.credentialSecret,
    contextStorage: { default: { module: s.contextStore } },
    citysoc: s.palette,
    externalModules: {
      autoInstall: false,
      // No allow or deny list here: those also decide which installed modules load, ours included.
      palette: { allowInstall: false, allowUpload: false },
      modules: { allowInstall: false, allowList: [], denyList: ['*'] },
    },
    functionExternalModules: false,
    functionGlobalContext: {},
    exportGlobalContextKeys: false,
    telemetry: { enabled: false, updateNotification: false },
    diagnostics: { enabled: false, ui: false },
    runtimeState: { enabled: false, ui: false },
    editorTheme: {
      page: { title: 'CitySOC playbooks' },
      header: { title: 'CitySOC playbooks' },
      projects: { enabled: false },
      tours: false,
      palette: { catalogues: [] },
      codeEditor: { lib: 'monaco' },
      multiplayer: { enabled: false },
      menu: { 'menu-item-help': false, 'menu-item-node-red-version': false },
    },
    // Node-RED's own log goes to CitySOC's (JSON, redacted); nothing to the console.
    logging: {
      console: { level: 'off', metrics: false, audit: false },
      citysoc: { level: 'info', metrics: false, audit: false, handler: () => s.logHandler },
    },
    httpServerOptions: { 'x-powered-by': false },
    // The admin API takes flows of at most this size; the editor's JSON bodies stay bounded.
    apiMaxLength: '5mb',
  };
}
