export * from './readiness';
export * from './redis.module';
export * from './redis.token';
