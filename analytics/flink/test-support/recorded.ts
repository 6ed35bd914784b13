/**
 * Reply bodies as Flink 1.20.3's SQL Gateway and JobManager sent them (recorded with curl against
 * `citysoc stack up`); stack traces are cut to their first frames and `Caused by:` lines.
 */
export const SESSION = 'a000871f-3af7-42ea-94cb-0985af68585e';
export const OP = 'f9e00dad-0f66-4da0-b645-f43b1ad01263';
export const JOB = '7d29560b66cc91afc24a3aba8f4bab12';

export const info = { productName: 'Apache Flink', version: '1.20.3' };

export const notReady = { resultType: 'NOT_READY', nextResultUri: `/v1/sessions/${SESSION}/operations/${OP}/result/0` };

const jobIdColumns = [{ name: 'job id', logicalType: { type: 'VARCHAR', nullable: true, length: 2147483647 }, comment: null }];

export const insertPayload = {
  resultType: 'PAYLOAD',
  isQueryResult: false,
  jobID: JOB,
  resultKind: 'SUCCESS_WITH_CONTENT',
  results: { columns: jobIdColumns, rowFormat: 'JSON', data: [{ kind: 'INSERT', fields: [JOB] }] },
  // v1 leaves rowFormat out of the next URI.
  nextResultUri: `/v1/sessions/${SESSION}/operations/${OP}/result/1`,
};

const selectColumns = [
  { name: 'a', logicalType: { type: 'INTEGER', nullable: false }, comment: null },
  { name: 'b', logicalType: { type: 'CHAR', nullable: false, length: 1 }, comment: null },
];

export const selectPage = (token: number, rows: unknown[][], next: boolean) => ({
  resultType: 'PAYLOAD',
  isQueryResult: true,
  jobID: '0ed817ea0d8f9ae0bdfec152195929e2',
  resultKind: 'SUCCESS_WITH_CONTENT',
  results: { columns: selectColumns, rowFormat: 'JSON', data: rows.map((fields) => ({ kind: 'INSERT', fields })) },
  ...(next ? { nextResultUri: `/v1/sessions/${SESSION}/operations/${OP}/result/${token + 1}` } : {}),
});

export const eos = (columns = selectColumns) => ({
  resultType: 'EOS',
  isQueryResult: true,
  jobID: '0ed817ea0d8f9ae0bdfec152195929e2',
  resultKind: 'SUCCESS_WITH_CONTENT',
  results: { columns, rowFormat: 'JSON', data: [] },
});

/** GET …/result/0 of an operation in status ERROR (SELECT * FROM nope): HTTP 500. */
export const validationError = {
  errors: [
    'Internal server error.',
    [
      '<Exception on server side:',
      'org.apache.flink.table.gateway.api.utils.SqlGatewayException: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.',
      '\tat org.apache.flink.table.gateway.rest.handler.statement.FetchResultsHandler.handleRequest(FetchResultsHandler.java:91)',
      '\tat java.base/java.lang.Thread.run(Thread.java:840)',
      'Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.',
      '\tat org.apache.flink.table.gateway.service.SqlGatewayServiceImpl.fetchResults(SqlGatewayServiceImpl.java:231)',
      '\t... 48 more',
      `Caused by: org.apache.flink.table.gateway.service.utils.SqlExecutionException: Failed to execute the operation ${OP}.`,
      "Caused by: org.apache.flink.table.api.ValidationException: SQL validation failed. From line 1, column 15 to line 1, column 18: Object 'nope' not found",
      "Caused by: org.apache.calcite.runtime.CalciteContextException: From line 1, column 15 to line 1, column 18: Object 'nope' not found",
      "Caused by: org.apache.calcite.sql.validate.SqlValidatorException: Object 'nope' not found",
      '\tat java.base/jdk.internal.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)',
      '\t... 3 more',
      '',
      'End of exception on server side>',
    ].join('\n'),
  ],
};

/** POST …/cancel of an operation that already FINISHED: HTTP 500, single-string shape. */
export const cancelFinishedError = {
  errors: [
    [
      'org.apache.flink.runtime.rest.handler.RestHandlerException: Failed to cancelOperation.',
      '\tat org.apache.flink.table.gateway.rest.handler.operation.AbstractOperationHandler.handleRequest(AbstractOperationHandler.java:79)',
      'Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to cancelOperation.',
      '\tat org.apache.flink.table.gateway.service.SqlGatewayServiceImpl.cancelOperation(SqlGatewayServiceImpl.java:153)',
      `Caused by: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to convert the Operation Status from FINISHED to CANCELED for ${OP}.`,
      '\tat org.apache.flink.table.gateway.service.operation.OperationManager$Operation.updateState(OperationManager.java:385)',
      '\t... 50 more',
      '',
    ].join('\n'),
  ],
};

export const jobCanceled = { jid: JOB, name: 'insert-into_default_catalog.default_database.b', isStoppable: false, state: 'CANCELED', 'job-type': 'STREAMING' };
export const jobFailed = { ...jobCanceled, state: 'FAILED' };
export const jobExceptions = {
  'root-exception': 'org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoffTimeStrategy\n\tat org.apache.flink…',
  timestamp: 1795247707527,
  'all-exceptions': [],
  truncated: false,
};
