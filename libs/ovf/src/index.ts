export * from './ova-unpacker';
export * from './ovf-descriptor';
export * from './ovf-error';
export * from './ovf-file-name';
export * from './ovf-manifest';
export * from './ovf-package';
