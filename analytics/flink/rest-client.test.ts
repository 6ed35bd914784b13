import { FlinkRestClient } from './rest-client';
import { startFakeGateway, type FakeGateway } from './test-support/fake-gateway';
import { JOB, jobCanceled, jobExceptions, jobFailed } from './test-support/recorded';

let fake: FakeGateway | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('FlinkRestClient', () => {
  test('cancels with PATCH ?mode=cancel and waits for CANCELED', async () => {
    fake = await startFakeGateway({
      [`PATCH /jobs/${JOB}?mode=cancel`]: { status: 202, body: {} },
      [`GET /jobs/${JOB}`]: (_req, n) => ({ body: n === 0 ? { ...jobCanceled, state: 'CANCELLING' } : jobCanceled }),
    });
    const rest = new FlinkRestClient({ url: fake.url });
    await rest.cancelJob(JOB);
    await expect(rest.waitForState(JOB, ['CANCELED'], { pollMs: 10 })).resolves.toMatchObject({ state: 'CANCELED' });
  }, 10_000);

  test('a job that FAILED while we wait for RUNNING throws its root exception at once', async () => {
    fake = await startFakeGateway({ [`GET /jobs/${JOB}`]: { body: jobFailed }, [`GET /jobs/${JOB}/exceptions`]: { body: jobExceptions } });
    const rest = new FlinkRestClient({ url: fake.url });
    await expect(rest.waitForState(JOB, ['RUNNING'], { timeoutMs: 5_000 })).rejects.toMatchObject({
      kind: 'job',
      message: `Flink job ${JOB} (${jobFailed.name}) is FAILED, expected RUNNING: org.apache.flink.runtime.JobException: Recovery is suppressed by NoRestartBackoffTimeStrategy`,
    });
  }, 10_000);

  test('an unknown job is NOT_FOUND', async () => {
    fake = await startFakeGateway({});
    await expect(new FlinkRestClient({ url: fake.url }).job(JOB)).rejects.toMatchObject({ code: 'NOT_FOUND', httpStatus: 404 });
  }, 10_000);
});
