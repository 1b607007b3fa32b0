export * from './http-labels';
export * from './log-context';
export * from './logger';
export * from './metrics';
export * from './metrics-server';
export * from './observability.module';
export * from './unhandled';
