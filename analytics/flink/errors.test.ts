import { shortenThrowable, summarizeServerErrors } from './errors';
import { cancelFinishedError, validationError } from './test-support/recorded';

describe('summarizeServerErrors', () => {
  test('takes the innermost Caused by of the "Internal server error." + server-side shape', () => {
    const s = summarizeServerErrors(validationError.errors);
    expect(s.rootCause).toBe("SqlValidatorException: Object 'nope' not found");
    expect(s.position).toBe('line 1, column 15');
    expect(s.causes[0]).toBe('SqlGatewayException: org.apache.flink.table.gateway.api.utils.SqlGatewayException: Failed to fetchResults.');
    expect(s.causes).toContain("ValidationException: SQL validation failed. From line 1, column 15 to line 1, column 18: Object 'nope' not found");
    expect(s.serverText).toBe(validationError.errors.join('\n'));
  });

  test('handles the single-string stack shape', () => {
    const s = summarizeServerErrors(cancelFinishedError.errors);
    expect(s.rootCause).toMatch(/^SqlGatewayException: Failed to convert the Operation Status from FINISHED to CANCELED/);
    expect(s.causes[0]).toBe('RestHandlerException: Failed to cancelOperation.');
    expect(s.position).toBeUndefined();
  });

  test('keeps a plain message without a stack as it is', () => {
    expect(summarizeServerErrors(['Not found: /v1/sessions/x/operations']).rootCause).toBe('Not found: /v1/sessions/x/operations');
    expect(summarizeServerErrors(['Internal server error.']).rootCause).toBe('Internal server error.');
    expect(summarizeServerErrors([]).rootCause).toBe('no error text in the reply');
  });

  test('shortens only qualified throwables', () => {
    expect(shortenThrowable('org.apache.kafka.common.KafkaException: boom: x.y.Z')).toBe('KafkaException: boom: x.y.Z');
    expect(shortenThrowable('Object a.b not found')).toBe('Object a.b not found');
  });
});
