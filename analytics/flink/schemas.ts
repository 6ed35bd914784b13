/**
 * The reply shapes of the Flink SQL Gateway REST API (v1..v3 share them) and the few JobManager
 * REST endpoints we use, as observed on Flink 1.20.3. Objects are not strict: newer Flink
 * versions add fields, and an added field must not break a running city.
 */
import { z } from 'zod';

export const GatewayInfo = z.object({ productName: z.string(), version: z.string() });
export type GatewayInfo = z.infer<typeof GatewayInfo>;

export const OpenSessionReply = z.object({ sessionHandle: z.string().min(1) });
export const SessionConfigReply = z.object({ properties: z.record(z.string(), z.string()) });
export const ExecuteStatementReply = z.object({ operationHandle: z.string().min(1) });
/** Heartbeat and PATCH /jobs/{id} answer `{}`. */
export const EmptyReply = z.object({});

export const OperationStatus = z.enum(['INITIALIZED', 'PENDING', 'RUNNING', 'FINISHED', 'CANCELED', 'CLOSED', 'ERROR', 'TIMEOUT']);
export type OperationStatus = z.infer<typeof OperationStatus>;
export const TERMINAL_STATUSES: ReadonlySet<OperationStatus> = new Set(['FINISHED', 'CANCELED', 'CLOSED', 'ERROR', 'TIMEOUT']);
export const OperationStatusReply = z.object({ status: OperationStatus });

/** `{type, nullable}` plus type-specific fields (length, precision, fields of a ROW, …). */
export const LogicalType = z.looseObject({ type: z.string(), nullable: z.boolean() });
export const Column = z.object({ name: z.string(), logicalType: LogicalType, comment: z.string().nullable().optional() });
export type Column = z.infer<typeof Column>;

export const RowKind = z.enum(['INSERT', 'UPDATE_BEFORE', 'UPDATE_AFTER', 'DELETE']);
/** One row in rowFormat=JSON: the changelog kind and the field values in column order. */
export const Row = z.object({ kind: RowKind, fields: z.array(z.unknown()) });
export type Row = z.infer<typeof Row>;

export const ResultType = z.enum(['NOT_READY', 'PAYLOAD', 'EOS']);
export const FetchResultsReply = z.object({
  resultType: ResultType,
  isQueryResult: z.boolean().optional(),
  /** Present once the statement submitted a job (INSERT, SELECT on the cluster). */
  jobID: z.string().optional(),
  resultKind: z.enum(['SUCCESS', 'SUCCESS_WITH_CONTENT']).optional(),
  // NOT_READY replies carry no results at all.
  results: z.object({ columns: z.array(Column).optional(), rowFormat: z.string().optional(), data: z.array(Row) }).optional(),
  /** Absent on EOS. A path such as /v1/sessions/…/result/1, with or without ?rowFormat. */
  nextResultUri: z.string().optional(),
});
export type FetchResultsReply = z.infer<typeof FetchResultsReply>;

export const OperationCloseReply = z.object({ status: z.string() });
export const CloseSessionReply = z.object({ status: z.string() });

// JobManager REST API (:8081). States as strings: the set grew across versions (INITIALIZING, RECONCILING).
export const JobDetails = z.object({ jid: z.string(), name: z.string(), state: z.string() });
export type JobDetails = z.infer<typeof JobDetails>;
/** GET /jobs/overview: every job the JobManager knows, running or finished. */
export const JobsOverview = z.object({
  jobs: z.array(z.object({ jid: z.string(), name: z.string(), state: z.string(), 'start-time': z.number().optional() })),
});
export type JobsOverview = z.infer<typeof JobsOverview>;
export const JobExceptions = z.object({ 'root-exception': z.string().nullable().optional() });
