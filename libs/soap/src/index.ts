export * from './soap-envelope';
export * from './vim-faults';
export * from './vim-service';
export type { SoapDatastore } from './inventory';
