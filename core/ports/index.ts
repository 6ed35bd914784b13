export * from './event-store';
export * from './bus';
export * from './alert-store';
export * from './audit-log';
export * from './state-store';
