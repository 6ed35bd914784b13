/**
 * Errors of the Flink adapters. The SQL Gateway and the Flink REST API answer failures with
 * `{"errors": [...]}` holding whole Java stack traces; a person needs the one line that says what
 * went wrong (the root cause), a program may need the rest, so both are kept.
 */
import { CitySocError, type ErrorCode } from '../../core/errors';

/** Where in the exchange it failed: before a reply, in the reply, or in what Flink did with the SQL. */
export type FlinkErrorKind =
  | 'network' // no HTTP reply at all (refused, reset, DNS)
  | 'timeout' // our own deadline for a request or a wait
  | 'aborted' // the caller's AbortSignal
  | 'http' // a non-2xx reply
  | 'response' // a 2xx reply of a shape we do not understand
  | 'statement' // the gateway ran the statement and it failed (parse, validation, planning, submission)
  | 'operation' // the operation ended CANCELED/TIMEOUT/CLOSED instead of FINISHED
  | 'job'; // a Flink job reached a state the caller did not wait for (e.g. FAILED)

export interface FlinkErrorInfo {
  kind: FlinkErrorKind;
  method?: string;
  url?: string;
  httpStatus?: number;
  /** The innermost `Caused by:` of the server's exception, class name shortened. */
  rootCause?: string;
  /** Every exception line of the server's chain, outermost first. */
  causes?: string[];
  /** "line L, column C" when an exception of the chain points into the SQL text. */
  position?: string;
  /** The server's error text exactly as received (all of `errors[]`, joined). */
  serverText?: string;
  statement?: string;
  sessionHandle?: string;
  operationHandle?: string;
  jobId?: string;
}

function codeFor(info: FlinkErrorInfo): ErrorCode {
  if (info.kind === 'statement') return 'INPUT_INVALID';
  if (info.kind === 'http' && info.httpStatus === 404) return 'NOT_FOUND';
  return 'UNAVAILABLE';
}

export class FlinkError extends CitySocError {
  readonly kind: FlinkErrorKind;
  readonly httpStatus?: number;
  readonly rootCause?: string;
  readonly causes: readonly string[];
  readonly serverText?: string;

  constructor(
    message: string,
    readonly info: FlinkErrorInfo,
    options?: { cause?: unknown },
  ) {
    super(codeFor(info), message, { ...info });
    this.name = 'FlinkError';
    this.kind = info.kind;
    this.httpStatus = info.httpStatus;
    this.rootCause = info.rootCause;
    this.causes = info.causes ?? [];
    this.serverText = info.serverText;
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}

export function isFlinkError(e: unknown): e is FlinkError {
  return e instanceof FlinkError;
}

// "org.apache.calcite.sql.validate.SqlValidatorException: msg" -> "SqlValidatorException: msg".
// The package adds length, not meaning, to a one-line summary; serverText keeps it.
const QUALIFIED_THROWABLE = /^(?:[a-z_$][\w$]*\.)+([A-Z][\w$]*(?:Exception|Error|Throwable)\b.*)$/;

export function shortenThrowable(line: string): string {
  const m = QUALIFIED_THROWABLE.exec(line.trim());
  return m?.[1] ?? line.trim();
}

export interface ServerErrorSummary {
  rootCause: string;
  causes: string[];
  serverText: string;
  /** "line L, column C" when any exception in the chain points into the SQL text. */
  position?: string;
}

/**
 * Summarizes the `errors` array of a Flink REST error body. Two shapes occur in 1.20:
 * `["Internal server error.", "<Exception on server side:\n…\nEnd of exception on server side>"]`
 * and `["org.….RestHandlerException: …\n\tat …\nCaused by: …"]`; plain messages such as
 * `["Not found: /v1/…"]` have no stack at all.
 */
export function summarizeServerErrors(errors: readonly string[]): ServerErrorSummary {
  const serverText = errors.join('\n');
  const text = serverText.replace(/<Exception on server side:\n?/g, '').replace(/\n*End of exception on server side>/g, '');
  const lines = text.split('\n').map((l) => l.trim());
  const isFrame = (l: string): boolean => l.startsWith('at ') || /^\.\.\. \d+ more$/.test(l);
  const head = lines.find((l) => l.length > 0 && !isFrame(l) && l !== 'Internal server error.');
  const causes = [
    ...(head && !head.startsWith('Caused by:') ? [shortenThrowable(head)] : []),
    ...lines.filter((l) => l.startsWith('Caused by:')).map((l) => shortenThrowable(l.slice('Caused by:'.length))),
  ];
  const rootCause = causes.at(-1) ?? (errors.length > 0 ? 'Internal server error.' : 'no error text in the reply');
  const pos = causes.map((c) => /line (\d+), column (\d+)/.exec(c)).find((m) => m !== null);
  return { rootCause, causes, serverText, ...(pos ? { position: `line ${pos[1]}, column ${pos[2]}` } : {}) };
}
