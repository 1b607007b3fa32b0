export * from './app-config';
export * from './config.module';
export * from './logger';
export * from './graceful-shutdown';
export * from './failpoint';
