/** Where a command writes: stdout lines (results) and stderr lines (diagnostics). */
export interface CommandIo {
  out(s: string): void;
  err(s: string): void;
}

/** Exit codes shared by the commands. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
