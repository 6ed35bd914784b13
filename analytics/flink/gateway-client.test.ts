import { FlinkError } from './errors';
import { resultPath, SqlGatewayClient } from './gateway-client';
import { toRecords } from './operation';
import { startFakeGateway, type FakeGateway, type Routes } from './test-support/fake-gateway';
import { cancelFinishedError, eos, info, insertPayload, JOB, notReady, OP, selectPage, SESSION, validationError } from './test-support/recorded';

const S = `/v1/sessions/${SESSION}`;
const O = `${S}/operations/${OP}`;

let fake: FakeGateway | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

async function client(routes: Routes, requestTimeoutMs = 2_000): Promise<SqlGatewayClient> {
  fake = await startFakeGateway(routes);
  return new SqlGatewayClient({ url: fake.url, requestTimeoutMs });
}

const sessionRoutes: Routes = {
  'POST /v1/sessions': { body: { sessionHandle: SESSION } },
  [`POST ${S}/statements`]: { body: { operationHandle: OP } },
  [`DELETE ${O}/close`]: { body: { status: 'CLOSED' } },
  [`DELETE ${S}`]: { body: { status: 'CLOSED' } },
};

describe('SqlGatewayClient', () => {
  test('reads /v1/info', async () => {
    const c = await client({ 'GET /v1/info': { body: info } });
    await expect(c.info()).resolves.toEqual(info);
  }, 10_000);

  test('a reply of the wrong shape is an error naming the endpoint and the field', async () => {
    const c = await client({ 'GET /v1/info': { body: { productName: 'Apache Flink' } } });
    const err = (await c.info().catch((e: unknown) => e)) as FlinkError;
    expect(err).toBeInstanceOf(FlinkError);
    expect(err.kind).toBe('response');
    expect(err.message).toContain(`GET ${fake!.url}/v1/info`);
    expect(err.message).toContain('version');
  }, 10_000);

  test('executes a query: session properties and executionConfig sent, status polled, NOT_READY waited out, pages followed to EOS', async () => {
    const c = await client({
      ...sessionRoutes,
      [`GET ${O}/status`]: (_req, n) => ({ body: { status: n < 2 ? 'RUNNING' : 'FINISHED' } }),
      [`GET ${O}/result/0?rowFormat=JSON`]: (_req, n) => ({ body: n === 0 ? notReady : selectPage(0, [[1, 'x']], true) }),
      [`GET ${O}/result/1?rowFormat=JSON`]: {
        body: selectPage(
          1,
          [
            [2, 'y'],
            [3, null],
          ],
          true,
        ),
      },
      [`GET ${O}/result/2?rowFormat=JSON`]: { body: eos() },
    });
    const session = await c.openSession({ name: 't', properties: { 'table.local-time-zone': 'UTC' }, heartbeatIntervalMs: 0 });
    const result = await session.execute('SELECT a, b FROM t', { executionConfig: { 'pipeline.name': 'p' }, timeoutMs: 5_000 });
    await session.close();

    expect(result.columns.map((col) => col.name)).toEqual(['a', 'b']);
    expect(result.rows).toEqual([
      { kind: 'INSERT', fields: [1, 'x'] },
      { kind: 'INSERT', fields: [2, 'y'] },
      { kind: 'INSERT', fields: [3, null] },
    ]);
    expect(toRecords(result)).toEqual([
      { a: 1, b: 'x' },
      { a: 2, b: 'y' },
      { a: 3, b: null },
    ]);
    expect(result.isQueryResult).toBe(true);
    const reqs = fake!.requests;
    expect(reqs[0]).toEqual({ method: 'POST', url: '/v1/sessions', body: { sessionName: 't', properties: { 'table.local-time-zone': 'UTC' } } });
    expect(reqs[1]).toEqual({ method: 'POST', url: `${S}/statements`, body: { statement: 'SELECT a, b FROM t', executionConfig: { 'pipeline.name': 'p' } } });
    expect(reqs.filter((r) => r.url === `${O}/status`)).toHaveLength(3);
    // the operation is closed before the session
    expect(reqs.slice(-2).map((r) => `${r.method} ${r.url}`)).toEqual([`DELETE ${O}/close`, `DELETE ${S}`]);
  }, 10_000);

  test('an INSERT returns the submitted job id', async () => {
    const c = await client({
      ...sessionRoutes,
      [`GET ${O}/status`]: { body: { status: 'FINISHED' } },
      [`GET ${O}/result/0?rowFormat=JSON`]: { body: insertPayload },
      [`GET ${O}/result/1?rowFormat=JSON`]: { body: { ...eos(insertPayload.results.columns), isQueryResult: false, jobID: JOB } },
    });
    const session = await c.openSession({ heartbeatIntervalMs: 0 });
    const result = await session.execute('INSERT INTO b SELECT x FROM g');
    expect(result.jobId).toBe(JOB);
    expect(result.rows).toEqual([{ kind: 'INSERT', fields: [JOB] }]);
    expect(result.resultKind).toBe('SUCCESS_WITH_CONTENT');
    await session.close();
  }, 10_000);

  test('a statement in ERROR throws the root cause, the SQL position and the full server text', async () => {
    const c = await client({
      ...sessionRoutes,
      [`GET ${O}/status`]: { body: { status: 'ERROR' } },
      [`GET ${O}/result/0?rowFormat=JSON`]: { status: 500, body: validationError },
    });
    const session = await c.openSession({ heartbeatIntervalMs: 0 });
    const err = (await session.execute('SELECT * FROM nope').catch((e: unknown) => e)) as FlinkError;
    expect(err).toBeInstanceOf(FlinkError);
    expect(err.kind).toBe('statement');
    expect(err.code).toBe('INPUT_INVALID');
    expect(err.httpStatus).toBe(500);
    expect(err.rootCause).toBe("SqlValidatorException: Object 'nope' not found");
    expect(err.message).toBe("statement failed: SqlValidatorException: Object 'nope' not found (at line 1, column 15); statement: SELECT * FROM nope");
    expect(err.serverText).toContain('End of exception on server side>');
    expect(err.info.operationHandle).toBe(OP);
    // a failed operation is still closed
    expect(fake!.requests.some((r) => r.method === 'DELETE' && r.url === `${O}/close`)).toBe(true);
    await session.close();
  }, 10_000);

  test('an operation that ends CANCELED is an operation error', async () => {
    const c = await client({ ...sessionRoutes, [`GET ${O}/status`]: { body: { status: 'CANCELED' } } });
    const session = await c.openSession({ heartbeatIntervalMs: 0 });
    await expect(session.execute('SELECT 1')).rejects.toMatchObject({ kind: 'operation', message: 'statement ended CANCELED instead of FINISHED: SELECT 1' });
    await session.close();
  }, 10_000);

  test('a statement that stays RUNNING past the wait is cancelled and closed', async () => {
    const c = await client({
      ...sessionRoutes,
      [`GET ${O}/status`]: { body: { status: 'RUNNING' } },
      [`POST ${O}/cancel`]: { body: { status: 'CANCELED' } },
    });
    const session = await c.openSession({ heartbeatIntervalMs: 0 });
    await expect(session.execute('SELECT * FROM endless', { timeoutMs: 200 })).rejects.toMatchObject({ kind: 'timeout' });
    const calls = fake!.requests.map((r) => `${r.method} ${r.url}`);
    expect(calls).toContain(`POST ${O}/cancel`);
    expect(calls).toContain(`DELETE ${O}/close`);
    await session.close();
  }, 10_000);

  test('cancel errors carry the gateway root cause', async () => {
    const c = await client({ [`POST ${O}/cancel`]: { status: 500, body: cancelFinishedError } });
    const err = (await c.cancelOperation(SESSION, OP).catch((e: unknown) => e)) as FlinkError;
    expect(err.kind).toBe('http');
    expect(err.message).toMatch(
      /^cancelling operation .* answered HTTP 500: SqlGatewayException: Failed to convert the Operation Status from FINISHED to CANCELED/,
    );
  }, 10_000);

  test('heartbeats while open and stops when closed', async () => {
    const c = await client({ ...sessionRoutes, [`POST ${S}/heartbeat`]: { body: {} } });
    const session = await c.openSession({ heartbeatIntervalMs: 20 });
    await new Promise((r) => setTimeout(r, 150));
    await session.close();
    const beats = fake!.requests.filter((r) => r.url === `${S}/heartbeat`).length;
    expect(beats).toBeGreaterThanOrEqual(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(fake!.requests.filter((r) => r.url === `${S}/heartbeat`).length).toBe(beats);
    await session.close(); // twice is a no-op
    expect(fake!.requests.filter((r) => r.method === 'DELETE' && r.url === S)).toHaveLength(1);
    expect(session.lastHeartbeatError).toBeUndefined();
  }, 10_000);

  test('heartbeat failures are reported, not thrown', async () => {
    const c = await client({ 'POST /v1/sessions': { body: { sessionHandle: SESSION } } });
    const errors: unknown[] = [];
    const session = await c.openSession({ heartbeatIntervalMs: 20, onHeartbeatError: (e) => errors.push(e) });
    await new Promise((r) => setTimeout(r, 100));
    await session.close().catch(() => undefined);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ kind: 'http', httpStatus: 404, code: 'NOT_FOUND' });
  }, 10_000);

  test('a slow gateway is a timeout naming the request', async () => {
    const c = await client({ 'GET /v1/info': { body: info, delayMs: 500 } }, 100);
    await expect(c.info()).rejects.toMatchObject({
      kind: 'timeout',
      message: `reading the SQL Gateway info: GET ${fake!.url}/v1/info got no reply within 100 ms`,
    });
  }, 10_000);

  test('the caller can abort', async () => {
    const c = await client({ 'GET /v1/info': { body: info, delayMs: 500 } });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    await expect(c.info(ac.signal)).rejects.toMatchObject({ kind: 'aborted' });
  }, 10_000);

  test('a gateway that is not there is a network error with the reason', async () => {
    fake = await startFakeGateway({});
    const url = fake.url;
    await fake.close();
    fake = undefined;
    const err = (await new SqlGatewayClient({ url }).info().catch((e: unknown) => e)) as FlinkError;
    expect(err.kind).toBe('network');
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.message).toContain('ECONNREFUSED');
  }, 10_000);

  test('uses the configured API version and keeps a base path', async () => {
    fake = await startFakeGateway({ 'GET /gw/v3/info': { body: info } });
    await expect(new SqlGatewayClient({ url: `${fake.url}/gw/`, apiVersion: 'v3' }).info()).resolves.toEqual(info);
  }, 10_000);
});

describe('resultPath', () => {
  test('adds rowFormat=JSON to a v1 nextResultUri and keeps one v2 already has', () => {
    expect(resultPath(`${O}/result/1`)).toBe(`${O}/result/1?rowFormat=JSON`);
    expect(resultPath(`/v2/sessions/s/operations/o/result/1?rowFormat=JSON`)).toBe('/v2/sessions/s/operations/o/result/1?rowFormat=JSON');
  });

  test('refuses a URI that is not a result path', () => {
    expect(() => resultPath('http://elsewhere.example/steal')).toThrow(/not a result path/);
  });
});
