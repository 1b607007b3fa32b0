export * from './clock';
export * from './request-context';
