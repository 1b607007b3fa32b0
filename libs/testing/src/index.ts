export * from './content-library-driver';
export * from './contract';
export * from './decider-specification';
export * from './http-client';
export * from './library.fixtures';
export * from './service-process';
export * from './test-database';
export * from './update-session.fixtures';
