/** Architecture rules (STYLE §1): dependencies point inward, apps never import each other. */
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'domain-is-pure',
      severity: 'error',
      from: { path: '^libs/domain' },
      to: { path: 'node_modules/(@nestjs|pg|typeorm|bullmq|ioredis)/' },
    },
    {
      name: 'apps-stay-apart',
      severity: 'error',
      from: { path: '^apps/api' },
      to: { path: '^apps/worker' },
    },
    {
      name: 'apps-stay-apart-2',
      severity: 'error',
      from: { path: '^apps/worker' },
      to: { path: '^apps/api' },
    },
    {
      name: 'soap-facade-stands-alone',
      comment: 'The SOAP façade reaches the engine only through the ports the API gives it.',
      severity: 'error',
      from: { path: '^libs/soap' },
      to: { path: '^(libs/(?!soap/)|apps/)' },
    },
    {
      name: 'testing-only-in-specs',
      severity: 'error',
      from: { path: '^(apps|libs)/', pathNot: ['\\.spec\\.ts$', '^libs/testing/'] },
      to: { path: '^libs/testing/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
  },
};
