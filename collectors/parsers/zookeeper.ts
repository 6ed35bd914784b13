/** Apache ZooKeeper server logs (log4j "%d - %-5p [%t:%C{1}@%L] - %m"). */
import type { LogSource, ParseContext, RawInput } from './source';
import { endpoint, fail, level, lineOf, ok, typeForLevel } from './event-doc';
import { isoFromYmd } from './timestamps';

// Who connected: "Received connection request /10.10.34.12:45028", "Accepted socket connection from /10.10.34.13:37177", ...
const PEER = /(?:connection request|socket connection from|Connection broken for id \d+, my id = \d+, error =|client|from) \/([0-9a-fA-F.:]+?):(\d+)\b/;

const LINE = /^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}) - ([A-Z]+) +\[(.*):([\w$]+)@(\d+)\] - ?(.*)$/s;

export const zookeeper: LogSource = {
  name: 'zookeeper',
  description: 'Apache ZooKeeper server log (date - LEVEL [thread:class@line] - message)',
  detect(input: RawInput): boolean {
    const line = lineOf(input);
    return line !== undefined && /^\d{4}-\d{2}-\d{2} [\d:]{8},\d{3} - [A-Z]+ +\[.*@\d+\] - /.test(line);
  },
  parse(input: RawInput, ctx: ParseContext) {
    const line = lineOf(input);
    if (line === undefined) return fail('zookeeper expects a text line, got a structured record');
    // The thread name may itself contain ":" (QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181), so the class is after the last one.
    const m = LINE.exec(line);
    if (!m) return fail('not a ZooKeeper log line: expected "yyyy-MM-dd HH:mm:ss,SSS - LEVEL [thread:Class@line] - message"');
    const ts = isoFromYmd(m[1]!, ctx);
    if (!ts) return fail(`invalid date/time "${m[1]}"`);
    const lvl = level(m[2]);
    const peer = PEER.exec(m[6]!);
    return ok({
      source: peer ? endpoint(peer[1], Number(peer[2])) : undefined,
      '@timestamp': ts,
      message: m[6],
      event: { kind: 'event', dataset: 'zookeeper.server', module: 'zookeeper', type: typeForLevel(lvl) },
      log: { level: lvl, logger: m[4], origin: { file: { line: Number(m[5]) } } },
      process: { thread: { name: m[3] } },
      service: { type: 'zookeeper' },
    });
  },
};
