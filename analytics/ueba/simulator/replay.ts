/**
 * A simulation's logs in the order they happened: the files of each day merged by time, as
 * collectors shipping from every product at once would deliver them. Replaying file after file
 * instead would hand analytics a month of Ranger before the first SSH line. Streams: one line per
 * file of the current day is held.
 */
import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { CITY_OFFSET } from './activity';
import { LAYOUT, logFile } from './layout';
import type { Manifest } from './simulate';
import type { SourceName } from './activity';

export interface ReplayLine {
  readonly source: SourceName;
  /** The parser that reads it (`auto` for the mixed syslog file). */
  readonly parser: string;
  readonly file: string;
  /** 1-based line number in its file. */
  readonly lineNo: number;
  readonly line: string;
  /** Event time, epoch ms (to the second for formats that carry no more). */
  readonly t: number;
}

const MONTHS: Readonly<Record<string, string>> = {
  Jan: '01',
  Feb: '02',
  Mar: '03',
  Apr: '04',
  May: '05',
  Jun: '06',
  Jul: '07',
  Aug: '08',
  Sep: '09',
  Oct: '10',
  Nov: '11',
  Dec: '12',
};

const localTime = (ymdHms: string, ms = '000') => Date.parse(`${ymdHms.replace(' ', 'T')}.${ms}${CITY_OFFSET}`);

/** The time of a line the simulator wrote, read back from its own layout. NaN when it has none. */
export function timeOfLine(source: SourceName, line: string, date: string): number {
  let m: RegExpExecArray | null;
  switch (source) {
    case 'ranger-audit':
      m = /"evtTime":"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\.(\d{3})"/.exec(line);
      return m ? localTime(m[1]!, m[2]) : NaN;
    case 'hdfs-audit':
      m = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}),(\d{3})/.exec(line);
      return m ? localTime(m[1]!, m[2]) : NaN;
    case 'pgaudit':
      m = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})\.(\d{3})/.exec(line);
      return m ? localTime(m[1]!, m[2]) : NaN;
    case 'mysql-audit':
      m = /"timestamp":"(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2}) UTC"/.exec(line);
      return m ? Date.parse(`${m[1]}T${m[2]}Z`) : NaN;
    case 'data-api':
      m = /"timestamp":"([^"]+)"/.exec(line);
      return m ? Date.parse(m[1]!) : NaN;
    case 'secure':
      m = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d{2}:\d{2}:\d{2}) /.exec(line);
      return m ? localTime(`${date.slice(0, 4)}-${MONTHS[m[1]!]}-${m[2]!.padStart(2, '0')} ${m[3]}`) : NaN;
  }
}

export async function readManifest(dir: string): Promise<Manifest> {
  return JSON.parse(await readFile(path.join(dir, LAYOUT.manifest), 'utf8')) as Manifest;
}

class Head {
  private readonly it: AsyncIterator<string>;
  lineNo = 0;
  current: ReplayLine | undefined;

  constructor(
    readonly source: SourceName,
    readonly parser: string,
    readonly file: string,
    private readonly date: string,
  ) {
    this.it = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity })[Symbol.asyncIterator]();
  }

  async advance(): Promise<void> {
    for (;;) {
      const r = await this.it.next();
      if (r.done) {
        this.current = undefined;
        return;
      }
      this.lineNo++;
      if (r.value.trim() === '') continue;
      const t = timeOfLine(this.source, r.value, this.date);
      // A line without a time we can read stays in place: it is passed on, not reordered or lost.
      this.current = {
        source: this.source,
        parser: this.parser,
        file: this.file,
        lineNo: this.lineNo,
        line: r.value,
        t: Number.isNaN(t) ? (this.current?.t ?? 0) : t,
      };
      return;
    }
  }
}

/** Every line of the simulation in `dir`, day by day, each day's files merged by time. */
export async function* replaySimulation(dir: string): AsyncGenerator<ReplayLine> {
  const manifest = await readManifest(dir);
  for (const date of manifest.dates) {
    const heads: Head[] = [];
    for (const s of manifest.sources) {
      const file = path.join(dir, logFile(s.name, date));
      const exists = await access(file).then(
        () => true,
        () => false,
      );
      if (!exists) continue;
      const h = new Head(s.name, s.parser, file, date);
      await h.advance();
      if (h.current) heads.push(h);
    }
    while (heads.length > 0) {
      let best = 0;
      for (let i = 1; i < heads.length; i++) if (heads[i]!.current!.t < heads[best]!.current!.t) best = i;
      const h = heads[best]!;
      yield h.current!;
      await h.advance();
      if (!h.current) heads.splice(best, 1);
    }
  }
}
