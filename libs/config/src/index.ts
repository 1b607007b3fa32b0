export * from './app-config';
export * from './config.module';
export * from './graceful-shutdown';
export * from './failpoint';
export * from './stream-gc-tuning';
