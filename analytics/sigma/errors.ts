// Where a problem sits: the file, the YAML path inside it, and when known the line/column.
export interface SigmaLocation {
  file?: string;
  path?: string;
  line?: number;
  col?: number;
}

export function formatLocation(loc: SigmaLocation): string {
  const parts: string[] = [];
  if (loc.file) parts.push(loc.line ? `${loc.file}:${loc.line}:${loc.col ?? 1}` : loc.file);
  if (loc.path) parts.push(loc.path);
  return parts.join(' ');
}

/** Base of every error the Sigma engine raises: a stable code, a reason and a location. */
export class SigmaError extends Error {
  readonly code: string;
  readonly reason: string;
  location: SigmaLocation;

  constructor(code: string, reason: string, location: SigmaLocation = {}) {
    super('');
    this.name = new.target.name;
    this.code = code;
    this.reason = reason;
    this.location = { ...location };
    this.refreshMessage();
  }

  /** Adds file/path context as the error bubbles up through the parser. */
  at(location: SigmaLocation): this {
    this.location = { ...location, ...stripUndefined(this.location) };
    this.refreshMessage();
    return this;
  }

  private refreshMessage(): void {
    const where = formatLocation(this.location);
    this.message = where ? `${where}: ${this.reason}` : this.reason;
  }
}

/** The rule is not valid Sigma (violates the specification or the YAML is broken). */
export class SigmaParseError extends SigmaError {}

/** The rule is valid Sigma but uses something this engine (or one target) cannot do faithfully. */
export class SigmaUnsupportedError extends SigmaError {}

/** An approximation made while parsing or converting; collected on the rule, never thrown. */
export interface SigmaWarning {
  code: string;
  message: string;
  path?: string;
}

function stripUndefined(loc: SigmaLocation): SigmaLocation {
  const out: SigmaLocation = {};
  for (const [k, v] of Object.entries(loc)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}
