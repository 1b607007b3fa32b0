export * from './access.module';
export * from './authenticated-caller';
export * from './authorizer';
export * from './login-sessions';
export * from './passwords';
export * from './privileges';
export * from './user-directory';
