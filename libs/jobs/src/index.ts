export * from './worker.module';
export * from './queues';
export * from './queues.module';
export * from './queue-overview';
export * from './queue-connection';
