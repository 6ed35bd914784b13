export { FlinkError, isFlinkError, summarizeServerErrors, type FlinkErrorInfo, type FlinkErrorKind } from './errors';
export { SqlGatewayClient, type SqlGatewayOptions, type SubmitOptions } from './gateway-client';
export { GatewaySession, type ExecuteOptions, type SessionOptions } from './session';
export { Operation, toRecords, type ResultPage, type StatementResult, type WaitOptions } from './operation';
export { FlinkRestClient, type FlinkRestOptions } from './rest-client';
export { ident, literal, withOptions } from './sql';
export type { Column, GatewayInfo, JobDetails, JobsOverview, OperationStatus, Row } from './schemas';
