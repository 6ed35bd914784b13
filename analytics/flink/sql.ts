/**
 * Quoting for the Flink SQL we generate: identifiers (ECS names such as `@timestamp` or `source`
 * need backticks) and string literals (option values, topic names).
 */

/** A Flink SQL identifier: backticks, with an inner backtick doubled. */
export function ident(name: string): string {
  return `\`${name.replace(/`/g, '``')}\``;
}

/** A Flink SQL string literal: single quotes, with an inner quote doubled. */
export function literal(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** A WITH (...) clause of connector options, in the order given. */
export function withOptions(options: Record<string, string>): string {
  const entries = Object.entries(options).map(([k, v]) => `  ${literal(k)} = ${literal(v)}`);
  return `WITH (\n${entries.join(',\n')}\n)`;
}
