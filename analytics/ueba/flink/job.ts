/**
 * The cluster profile's UEBA: the compiled features submitted through the SQL Gateway as one Flink
 * job reading the events topic and writing five topics of rows, and those rows read back into
 * what the scorer takes — so peers, risk and signals are the same code in both profiles.
 */
import { withOptions } from '../../flink/sql';
import type { GatewaySession } from '../../flink/session';
import type { UebaConfig } from '../config';
import type { EngineOutput } from '../engine/engine';
import { anomaliesOfRow, anomalyOfFirstSeen } from '../engine/rows';
import { ENTITY_SETS, entitySet, type EntityType } from '../features/definitions';
import { compileUebaToFlink, eventsTable, FIRST_SEEN_COLUMNS, hourlySinkColumns, sinkTable, USER_DATASET_HOUR_COLUMNS } from './compile';
import { firstSeenFromFlink, hourRowFromFlink, userDatasetHourFromFlink } from './rows';

export interface UebaTopics {
  /** Where the events are (the bus's citysoc.events topic, with its prefix). */
  readonly events: string;
  readonly user: string;
  readonly host: string;
  readonly dataset: string;
  readonly firstSeen: string;
  readonly use: string;
}

export type UebaOutputKind = Exclude<keyof UebaTopics, 'events'>;

export interface UebaJobOptions {
  readonly topics: UebaTopics;
  /** Kafka connector options shared by every table: bootstrap servers, security settings. */
  readonly kafka: Readonly<Record<string, string>>;
  readonly groupId: string;
  /** Extra options of the events source (a test bounds it with scan.bounded.mode). */
  readonly source?: Readonly<Record<string, string>>;
  readonly name: string;
  /**
   * How long the gateway may take to plan and submit the statement set (default 2 min); planning
   * the whole set is slow on a loaded machine.
   */
  readonly submitTimeoutMs?: number;
}

/** Creates the tables and views in the session and submits the job; resolves with its job id. */
export async function submitUebaJob(session: GatewaySession, cfg: UebaConfig, o: UebaJobOptions): Promise<string> {
  const job = compileUebaToFlink(cfg, {
    source: 'ueba_source',
    sinks: {
      hourly: { user: 'ueba_out_user', host: 'ueba_out_host', dataset: 'ueba_out_dataset' },
      firstSeen: 'ueba_out_first_seen',
      userDatasetHour: 'ueba_out_use',
    },
  });
  const timeoutMs = 60_000;
  for (const [k, v] of Object.entries(job.configuration)) await session.execute(`SET '${k}' = '${v}'`, { timeoutMs });
  const kafka = (topic: string, extra: Record<string, string>) => withOptions({ connector: 'kafka', topic, ...o.kafka, ...extra });
  await session.execute(
    eventsTable(
      'ueba_source',
      kafka(o.topics.events, {
        'properties.group.id': o.groupId,
        'scan.startup.mode': 'group-offsets',
        'properties.auto.offset.reset': 'earliest',
        format: 'raw',
        ...o.source,
      }),
      cfg.latenessMinutes,
    ),
    { timeoutMs },
  );
  const sink = (topic: string) => kafka(topic, { format: 'json', 'sink.delivery-guarantee': 'at-least-once' });
  for (const set of ENTITY_SETS) await session.execute(sinkTable(`ueba_out_${set.entity}`, hourlySinkColumns(set), sink(o.topics[set.entity])), { timeoutMs });
  await session.execute(sinkTable('ueba_out_first_seen', FIRST_SEEN_COLUMNS, sink(o.topics.firstSeen)), { timeoutMs });
  await session.execute(sinkTable('ueba_out_use', USER_DATASET_HOUR_COLUMNS, sink(o.topics.use)), { timeoutMs });
  for (const view of job.views) await session.execute(view, { timeoutMs });
  const r = await session.execute(job.statementSet, { executionConfig: { 'pipeline.name': o.name }, timeoutMs: o.submitTimeoutMs ?? 120_000 });
  if (!r.jobId) throw new Error('the SQL Gateway accepted the UEBA statement set but named no job');
  return r.jobId;
}

/** Records of one output topic as the scorer's input; anomalies are read off the rows. */
export function outputFromFlink(kind: UebaOutputKind, records: readonly Record<string, unknown>[], cfg: UebaConfig): EngineOutput {
  const out: EngineOutput = { rows: [], firstSeen: [], userDatasetHours: [], anomalies: [] };
  if (kind === 'firstSeen') {
    for (const r of records) {
      const row = firstSeenFromFlink(r, cfg.utcOffset);
      out.firstSeen.push(row);
      out.anomalies.push(anomalyOfFirstSeen(row));
    }
  } else if (kind === 'use') for (const r of records) out.userDatasetHours.push(userDatasetHourFromFlink(r, cfg.utcOffset));
  else {
    const set = entitySet(kind as EntityType);
    for (const r of records) {
      const row = hourRowFromFlink(set, r, cfg.utcOffset);
      out.rows.push(row);
      out.anomalies.push(...anomaliesOfRow(row));
    }
  }
  return out;
}
