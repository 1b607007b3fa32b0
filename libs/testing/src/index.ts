export * from './decider-specification';
export * from './update-session.fixtures';
export * from './test-database';
