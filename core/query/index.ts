export * from './ast';
export { parseQuery } from './parse';
export { analyze, compileQuery } from './analyze';
export { evaluate, tokenizeText, wildcardToRegExp } from './evaluate';
export { resolveDate, intervalMs } from './dates';
export { canonicalIp, cidrContains, parseCidr } from './ip';
