export * from './decider-command-runner';
export * from './event-store.types';
export * from './event-type-registry';
export * from './postgres-error';
export * from './postgres-event-store';
export * from './version-conflict.error';
export * from './feed-checkpoint';
export * from './apply-inline-projections';
