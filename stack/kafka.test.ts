import { isKafkaClusterId, newKafkaClusterId } from './kafka';

describe('Kafka cluster id', () => {
  it('is 22 base64url characters', () => {
    for (let i = 0; i < 200; i++) expect(newKafkaClusterId()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
  });

  it('never starts with "-", which the storage tool would read as an option', () => {
    // 0xf8.. encodes to a leading '-' in base64url; the second draw is usable
    const draws = [Buffer.alloc(16, 0xf8), Buffer.from('00112233445566778899aabbccddeeff', 'hex')];
    const id = newKafkaClusterId(() => draws.shift() as Buffer);
    expect(id).toBe('ABEiM0RVZneImaq7zN3u_w');
    expect(draws).toHaveLength(0);
  });

  it('rejects kept ids it cannot use', () => {
    expect(isKafkaClusterId(Buffer.alloc(16, 0xf8).toString('base64url'))).toBe(false);
    expect(isKafkaClusterId('')).toBe(false);
    expect(isKafkaClusterId('AAAAAAAAAAAAAAAAAAAAAA')).toBe(false);
    expect(isKafkaClusterId('short')).toBe(false);
    expect(isKafkaClusterId('MkU3OEVBNTcwNTJENDM2Qk')).toBe(true);
  });
});
