export * from './readiness';
export * from './redis.module';
