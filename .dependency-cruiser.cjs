/**
 * Architecture rules (STYLE §1): dependencies point inward, apps never import each other, and each
 * lib imports only the libs of the layers below it. `npm run check` fails on any other import;
 * `test/architecture/layers.unit.spec.ts` plants wrong-way imports to show that it does.
 */

/** The libs each lib may import (besides itself and npm packages), innermost layers first. */
const ALLOWED_LIBS = {
  domain: [],
  config: [],
  soap: [],
  'event-store': ['domain'],
  ovf: ['domain'],
  observability: ['config'],
  database: ['config'],
  access: ['config', 'database', 'domain'],
  messaging: ['config', 'database', 'observability'],
  context: ['access', 'event-store'],
  projections: ['database', 'domain', 'event-store'],
  transfer: ['access', 'config', 'database', 'domain', 'observability'],
  http: ['access', 'context', 'domain', 'event-store', 'observability'],
  sessions: [
    'access',
    'config',
    'context',
    'database',
    'domain',
    'event-store',
    'observability',
    'ovf',
    'projections',
    'transfer',
  ],
  jobs: [
    'config',
    'context',
    'database',
    'domain',
    'event-store',
    'messaging',
    'observability',
    'sessions',
  ],
  testing: ['database', 'domain'],
};

/** One rule per lib: its code (specs aside) imports no lib outside its list and no app. */
const layerRules = Object.entries(ALLOWED_LIBS).map(([lib, allowed]) => ({
  name: `${lib}-layer`,
  comment: `libs/${lib} may import ${allowed.length > 0 ? allowed.join(', ') : 'no other lib'}`,
  severity: 'error',
  from: { path: `^libs/${lib}/`, pathNot: '\\.spec\\.ts$' },
  to: { path: '^(apps|libs)/', pathNot: `^libs/(${[lib, ...allowed].join('|')})/` },
}));

module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'domain-is-pure',
      severity: 'error',
      from: { path: '^libs/domain' },
      to: { path: 'node_modules/(@nestjs|pg|typeorm|bullmq|ioredis)/' },
    },
    ...layerRules,
    {
      name: 'every-lib-has-a-layer',
      comment: 'A new lib gets its line in ALLOWED_LIBS (.dependency-cruiser.cjs).',
      severity: 'error',
      from: {
        path: '^libs/',
        pathNot: `^libs/(${Object.keys(ALLOWED_LIBS).join('|')})/`,
      },
      to: {},
    },
    {
      name: 'apps-stay-apart',
      severity: 'error',
      from: { path: '^apps/api' },
      to: { path: '^apps/(worker|cli)' },
    },
    {
      name: 'apps-stay-apart-2',
      severity: 'error',
      from: { path: '^apps/worker' },
      to: { path: '^apps/(api|cli)' },
    },
    {
      name: 'apps-stay-apart-3',
      severity: 'error',
      from: { path: '^apps/cli' },
      to: { path: '^apps/(api|worker)' },
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
