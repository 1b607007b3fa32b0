/** Injection token of the process's Redis command connection. */
export const REDIS = Symbol('REDIS');
