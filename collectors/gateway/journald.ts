/**
 * Fluent Bit's `systemd` input ships journal entries as fields (MESSAGE, _HOSTNAME,
 * SYSLOG_IDENTIFIER, _PID, ...). The sources parse syslog lines, so an entry becomes the line
 * rsyslog would have written, with the journal's exact clock kept as the time.
 */
import type { Doc } from '../../core/doc';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

export function isJournalEntry(r: Doc): boolean {
  return typeof r.MESSAGE === 'string' && (r._HOSTNAME !== undefined || r.SYSLOG_IDENTIFIER !== undefined || r._SYSTEMD_UNIT !== undefined);
}

export interface JournalLine {
  readonly line: string;
  /** ISO time from the journal's microsecond clock, when present. */
  readonly timestamp?: string;
  readonly host?: string;
}

export function journalLine(r: Doc): JournalLine {
  const micros = Number(r._SOURCE_REALTIME_TIMESTAMP ?? r.__REALTIME_TIMESTAMP);
  const stamp = Number.isFinite(micros) && micros > 0 ? new Date(Math.floor(micros / 1000)) : undefined;
  // A realtime stamp beyond what a date can hold is no clock at all.
  const at = stamp && Number.isFinite(stamp.getTime()) ? stamp : undefined;
  const shown = at ?? new Date(0);
  const host = typeof r._HOSTNAME === 'string' ? r._HOSTNAME : undefined;
  const ident = String(r.SYSLOG_IDENTIFIER ?? r._COMM ?? r._SYSTEMD_UNIT ?? 'journal');
  const pid = r.SYSLOG_PID ?? r._PID;
  const clock = `${MONTHS[shown.getUTCMonth()]} ${String(shown.getUTCDate()).padStart(2, ' ')} ${pad(shown.getUTCHours())}:${pad(shown.getUTCMinutes())}:${pad(shown.getUTCSeconds())}`;
  const line = `${clock} ${host ?? '-'} ${ident}${pid !== undefined ? `[${String(pid)}]` : ''}: ${String(r.MESSAGE)}`;
  return { line, timestamp: at?.toISOString(), host };
}
