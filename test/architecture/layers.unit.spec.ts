import { execFile } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const ROOT = resolve(__dirname, '../..');
const DEPCRUISE = join(ROOT, 'node_modules/.bin/depcruise');

interface Violation {
  readonly rule: { readonly name: string };
  readonly from: string;
  readonly to: string;
}

/** What `npm run check`'s dependency rules say of `folder` (its own imports only). */
async function violationsOf(folder: string): Promise<Violation[]> {
  const run = await promisify(execFile)(
    DEPCRUISE,
    ['--config', '.dependency-cruiser.cjs', '--output-type', 'json', '--max-depth', '1', folder],
    { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 },
  ).catch((failure: { stdout?: string }) => {
    // depcruise exits non-zero when it finds errors; the report is still on stdout.
    if (failure.stdout === undefined) throw failure;
    return { stdout: failure.stdout };
  });
  const report = JSON.parse(run.stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations;
}

/**
 * A wrong-way import planted in a lib, for one check: the file lives in the lib's own folder (the
 * rules go by path) under a name of this run, and what it created is gone afterwards whatever
 * happens.
 */
async function planted(lib: string, source: string): Promise<Violation[]> {
  const folder = join('libs', lib, 'src', `planted-${process.pid}`);
  const created = await mkdir(join(ROOT, folder), { recursive: true });
  try {
    await writeFile(join(ROOT, folder, 'wrong-way.ts'), source);
    return await violationsOf(folder);
  } finally {
    if (created !== undefined) await rm(created, { recursive: true, force: true });
  }
}

describe('layer rules (.dependency-cruiser.cjs)', () => {
  it.each([
    ['domain', '@cls/config', 'domain-layer'],
    ['event-store', '@cls/jobs', 'event-store-layer'],
    ['sessions', '@cls/jobs', 'sessions-layer'],
    ['transfer', '@cls/sessions', 'transfer-layer'],
    ['ovf', '@cls/transfer', 'ovf-layer'],
    ['http', '@cls/sessions', 'http-layer'],
  ])('refuses libs/%s importing %s', async (lib, target, rule) => {
    const violations = await planted(lib, `export * from '${target}';\n`);
    expect(violations.map((violation) => violation.rule.name)).toContain(rule);
  });

  it('lets a lib import the layers below it', async () => {
    const violations = await planted('sessions', "export * from '@cls/transfer';\n");
    expect(violations).toEqual([]);
  });

  it('refuses a lib that has no layer yet', async () => {
    const violations = await planted(`new-${process.pid}`, "export * from '@cls/domain';\n");
    expect(violations.map((violation) => violation.rule.name)).toContain('every-lib-has-a-layer');
  });
});
