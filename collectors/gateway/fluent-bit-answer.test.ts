import { ANSWER_BODY_BYTES, compactAnswer } from './fluent-bit-route';

describe("the Fluent Bit answer fits Fluent Bit's 4,096-byte response buffer", () => {
  it('keeps counts, the first five errors with cut reasons, and how many more there were', () => {
    const errors = Array.from({ length: 3000 }, (_, i) => ({ record: i + 1, source: 'hadoop', reason: `reason ${i} ${'x'.repeat(5000)}` }));
    const answer = compactAnswer({ received: 3000, stored: 0, deadLettered: 3000, repeats: 0 }, errors, 'b-1') as {
      errors: { reason: string }[];
      moreErrors: number;
    };
    expect(Buffer.byteLength(JSON.stringify(answer))).toBeLessThanOrEqual(ANSWER_BODY_BYTES);
    expect(answer.errors).toHaveLength(5);
    expect(answer.errors[0]!.reason).toMatch(/^reason 0 x+…$/);
    expect(answer.moreErrors).toBe(2995);
  });

  it('drops errors rather than exceed the budget when the source names are long', () => {
    const errors = Array.from({ length: 5 }, (_, i) => ({ record: i + 1, source: 's'.repeat(2000), reason: 'r' }));
    const answer = compactAnswer({ received: 5 }, errors, 'b-2') as { errors: unknown[]; moreErrors: number };
    expect(Buffer.byteLength(JSON.stringify(answer))).toBeLessThanOrEqual(ANSWER_BODY_BYTES);
    expect(answer.errors.length + answer.moreErrors).toBe(5);
  });
});
