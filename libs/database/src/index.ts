export * from './advisory-locks';
export * from './data-source';
export * from './ensure-database';
export * from './migrate';
export * from './database.module';
export * from './postgres-notifications';
export * from './doorbell';
