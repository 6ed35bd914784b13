/**
 * The GraphQL schema, printed with its descriptions, is checked in as schema.graphql for
 * integrators; this test keeps the two in step. After a change to the API: `npm run schema`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { printSchema } from 'graphql';
import { startTestPlatform, type Running } from './test-support/harness';

const FILE = path.resolve(__dirname, '..', 'schema.graphql');

describe('schema.graphql', () => {
  let r: Running;
  beforeAll(async () => {
    r = await startTestPlatform(undefined, false, { 'playbooks.enabled': true });
  });
  afterAll(async () => r.stop());

  it('is the schema the platform serves', () => {
    const printed = `# CitySOC GraphQL API — generated from the running platform by \`npm run schema\`; do not edit.\n\n${printSchema(r.platform.schema)}\n`;
    if (process.env.CITYSOC_UPDATE_SCHEMA === '1') writeFileSync(FILE, printed);
    expect(readFileSync(FILE, 'utf8')).toBe(printed);
  });

  it('describes every type and every root field, and uses JSON only where the shape is open', () => {
    const s = r.platform.schema;
    for (const root of [s.getQueryType()!, s.getMutationType()!])
      for (const f of Object.values(root.getFields()))
        expect({ field: f.name, described: (f.description ?? '').length > 0 }).toEqual({ field: f.name, described: true });
    const jsonUses = printSchema(s)
      .split('\n')
      .filter((l) => /:\s*\[?JSON/.test(l))
      .map((l) => l.trim());
    // ECS events, bucket keys, query DSL, audit details and the details of a case's timeline entry are open
    // by nature; so are a playbook step's input and output and an approval's context (whatever messages the
    // drawn flow carries).
    expect(jsonUses.sort()).toEqual(
      [
        'details: JSON',
        'details: JSON',
        'es: JSON!',
        'event(id: ID!): JSON!',
        'events: [JSON!]!',
        'key: JSON!',
        'input: JSON',
        'output: JSON',
        'context: JSON!',
        // A rule tried on a pasted event: the event in and as matched are ECS events.
        'event: JSON',
        'testRule(id: String!, event: JSON!): RuleTest!',
      ].sort(),
    );
  });
});
