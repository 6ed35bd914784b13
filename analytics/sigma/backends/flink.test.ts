import { parseSigmaYaml } from '../parse';
import { FlinkSqlBackend } from './flink';

const rule = (yaml: string) => {
  const doc = parseSigmaYaml(yaml, 'test.yml').documents[0]!;
  if (doc.kind !== 'rule') throw new Error('not a rule');
  return doc;
};

describe('Flink SQL backend', () => {
  test('an exact value also matches an element of an ECS array field (event.category), quotes escaped', () => {
    const r = rule(
      'title: t\nlogsource: {product: citysoc}\ndetection:\n  sel:\n    event.category: authentication\n    user.name: "o\'b_%"\n  condition: sel\n',
    );
    expect(new FlinkSqlBackend().convertRule(r)).toBe(
      "((LOWER(JSON_VALUE(doc, '$.event.category')) = 'authentication' OR (JSON_VALUE(doc, '$.event.category') IS NULL AND POSITION('\"authentication\"' IN LOWER(JSON_QUERY(doc, '$.event.category'))) > 0)) AND " +
        "(LOWER(JSON_VALUE(doc, '$.user.name')) = 'o''b_%' OR (JSON_VALUE(doc, '$.user.name') IS NULL AND POSITION('\"o''b_%\"' IN LOWER(JSON_QUERY(doc, '$.user.name'))) > 0)))",
    );
  });

  test('with a field mapping of its own (a view of columns), no array form', () => {
    const r = rule('title: t\nlogsource: {product: citysoc}\ndetection:\n  sel:\n    event.category: authentication\n  condition: sel\n');
    expect(new FlinkSqlBackend({ field: (n) => `\`${n}\`` }).convertRule(r)).toBe("LOWER(`event.category`) = 'authentication'");
  });
});
