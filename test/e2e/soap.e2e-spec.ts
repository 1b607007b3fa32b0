import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { HttpClient, startSourceServer } from '@cls/testing';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

const run = promisify(execFile);
/** The unmodified govc 0.24 beside the checkout (`../shared/clients`). */
const GOVC = resolve(__dirname, '..', '..', '..', 'shared', 'clients', 'govc');

let deployment: Deployment;

beforeAll(async () => {
  // The pull step reads from a source on this machine.
  deployment = await startDeployment('e2e_soap', { PULL_ALLOWED_NETWORKS: '127.0.0.0/8' });
});

afterAll(() => deployment?.stop());

/**
 * Runs govc as alice. Calls sharing `home` share govc's saved login, which it checks with the
 * `currentSession` property before reusing it.
 */
async function govc(
  args: string[],
  home = mkdtempSync(join(tmpdir(), 'cls-govc-')),
): Promise<string> {
  const url = new URL('/sdk', deployment.api.baseUrl);
  url.username = 'alice';
  url.password = 'alice-password';
  const { stdout } = await run(GOVC, args, {
    env: {
      PATH: process.env.PATH ?? '',
      GOVC_URL: url.toString(),
      GOVC_INSECURE: '1',
      GOVMOMI_HOME: home,
    },
    timeout: 60_000,
  });
  return stdout;
}

/** A library on datastore-1, created over REST (govc's `library.create -ds` needs the inventory). */
async function newLibrary(prefix: string): Promise<string> {
  const name = `${prefix}-${Date.now()}`;
  const created = await deployment.alice.request('POST', '/api/content/local-library', {
    body: { name, storage_backings: [{ type: 'DATASTORE', datastore_id: 'datastore-1' }] },
  });
  expect(created.status).toBe(201);
  return name;
}

const envelope = (call: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body>${call}</Body></Envelope>`;

async function soap(
  call: string,
  cookie?: string,
): Promise<{ status: number; type: string | null; body: string; cookie: string | null }> {
  const response = await fetch(new URL('/sdk', deployment.api.baseUrl), {
    method: 'POST',
    headers: {
      'content-type': 'text/xml; charset="utf-8"',
      soapaction: 'urn:vim25/7.0',
      ...(cookie ? { cookie } : {}),
    },
    body: call.startsWith('<?xml') ? call : envelope(call),
  });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    body: await response.text(),
    cookie: response.headers.get('set-cookie'),
  };
}

const login = (user: string, password: string) =>
  soap(
    `<Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>${user}</userName><password>${password}</password></Login>`,
  );

const UNSUPPORTED = `<RetrieveProperties xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet/></RetrieveProperties>`;

function faultOf(answer: { status: number; type: string | null; body: string }, type: string) {
  expect(answer.status).toBe(500);
  expect(answer.type).toBe('text/xml; charset=utf-8');
  expect(answer.body).toContain(`<${type}Fault xmlns="urn:vim25" xsi:type="${type}">`);
  expect(answer.body).toContain('<faultstring>');
}

describe('vim25 SOAP at /sdk', () => {
  it('govc about, unmodified, reads the service content after its SOAP login', async () => {
    const about = await govc(['about']);
    expect(about).toMatch(/^Name:\s+cls-engine$/m);
    expect(about).toMatch(/^API type:\s+VirtualCenter$/m);
    expect(about).toMatch(/^API version:\s+7\.0$/m);
  });

  it('govc library.ls logs in over SOAP, then REST, and lists the libraries', async () => {
    const name = await newLibrary('soap-ls');
    expect((await govc(['library.ls'])).split('\n')).toContain(`/${name}`);
  });

  it('govc, by name and with its saved login: import, info, export byte-exact, cp, session.ls, rm of an item and of a library', async () => {
    const library = await newLibrary('soap');
    const home = mkdtempSync(join(tmpdir(), 'cls-govc-'));
    const iso = join(home, 'photon.iso');
    const bytes = randomBytes(4 * 1024 * 1024);
    writeFileSync(iso, bytes);

    await govc(['library.import', library, iso], home);
    const info = await govc(['library.info', `${library}/photon`], home);
    expect(info).toMatch(/^Name:\s+photon$/m);
    expect(info).toMatch(/^\s+Path:\s+\/.+\/photon$/m);
    expect(info).toMatch(/^\s+Size:\s+4\.0MB$/m);

    const out = mkdtempSync(join(tmpdir(), 'cls-govc-out-'));
    await govc(['library.export', `${library}/photon`, `${out}/`], home);
    expect(readFileSync(join(out, 'photon.iso')).equals(bytes)).toBe(true);

    await govc(['library.cp', '-n', 'copied', `${library}/photon`, library], home);
    expect((await govc(['library.ls', `${library}/*`], home)).split('\n').sort()).toEqual(
      ['', `/${library}/copied`, `/${library}/photon`].sort(),
    );
    mkdirSync(join(out, 'copied'));
    await govc(['library.export', `${library}/copied`, `${out}/copied/`], home);
    expect(readFileSync(join(out, 'copied', 'photon.iso')).equals(bytes)).toBe(true);
    expect(await govc(['library.session.ls'], home)).toMatch(
      new RegExp(`/${library}/photon\\s+Update\\s+\\d+\\s+\\d+\\s+DONE`),
    );

    await govc(['library.rm', `${library}/photon`], home);
    expect((await govc(['library.ls', `${library}/*`], home)).trim()).toBe(`/${library}/copied`);
    await govc(['library.rm', library], home);
    expect((await govc(['library.ls'], home)).split('\n')).not.toContain(`/${library}`);
  });

  it('govc imports an OVF folder with its manifest and an OVA, and exports them byte-exact', async () => {
    const library = await newLibrary('soap-ovf');
    const home = mkdtempSync(join(tmpdir(), 'cls-govc-'));
    const folder = join(home, 'tiny');
    mkdirSync(folder);
    const disk = randomBytes(70_000);
    const descriptor = Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <References><File ovf:href="disk1.vmdk" ovf:id="file1"/></References>
  <VirtualSystem ovf:id="vm"/>
</Envelope>
`);
    const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(folder, 'tiny.ovf'), descriptor);
    writeFileSync(join(folder, 'disk1.vmdk'), disk);
    writeFileSync(
      join(folder, 'tiny.mf'),
      `SHA256(tiny.ovf)= ${sha256(descriptor)}\nSHA256(disk1.vmdk)= ${sha256(disk)}\n`,
    );
    await run('tar', [
      '-cf',
      join(home, 'tiny.ova'),
      '-C',
      folder,
      'tiny.ovf',
      'tiny.mf',
      'disk1.vmdk',
    ]);

    await govc(['library.import', '-m', library, join(folder, 'tiny.ovf')], home);
    await govc(['library.import', '-m', '-n', 'tinyova', library, join(home, 'tiny.ova')], home);
    for (const item of ['tiny', 'tinyova']) {
      const out = mkdtempSync(join(tmpdir(), 'cls-govc-out-'));
      await govc(['library.export', `${library}/${item}`, `${out}/`], home);
      expect(readFileSync(join(out, 'disk1.vmdk')).equals(disk)).toBe(true);
      expect(readFileSync(join(out, 'tiny.ovf')).equals(descriptor)).toBe(true);
    }
  });

  it('govc imports by server pull (-pull) from an http source, exported byte-exact', async () => {
    const source = await startSourceServer({ size: 3 * 1024 * 1024 });
    try {
      const library = await newLibrary('soap-pull');
      const home = mkdtempSync(join(tmpdir(), 'cls-govc-'));
      await govc(
        ['library.import', '-pull', '-n', 'pulled', library, `${source.baseUrl}/file.bin`],
        home,
      );
      const out = mkdtempSync(join(tmpdir(), 'cls-govc-out-'));
      await govc(['library.export', `${library}/pulled`, `${out}/`], home);
      expect(readFileSync(join(out, 'file.bin')).equals(source.bytes)).toBe(true);
    } finally {
      await source.close();
    }
  });

  it('wrong credentials are an InvalidLogin fault; no login is NotAuthenticated', async () => {
    faultOf(await login('alice', 'wrong-password'), 'InvalidLogin');
    faultOf(await login('nobody', 'whatever'), 'InvalidLogin');
    faultOf(await soap(UNSUPPORTED), 'NotAuthenticated');
    faultOf(await soap(UNSUPPORTED, 'vmware_soap_session="forged"'), 'NotAuthenticated');
  });

  it('a login answers its UserSession and cookie, good for SOAP and for REST until logout', async () => {
    const answer = await login('alice', 'alice-password');
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('<userName>alice</userName>');
    const key = /<key>([^<]+)<\/key>/.exec(answer.body)?.[1];
    const token = /vmware_soap_session="([0-9a-f]+)"/.exec(answer.cookie ?? '')?.[1];
    expect(key).toBeDefined();
    expect(token).toBeDefined();
    const cookie = `vmware_soap_session="${token}"`;

    const active = await soap(
      `<SessionIsActive xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><sessionID>${key}</sessionID><userName>alice</userName></SessionIsActive>`,
      cookie,
    );
    expect(active.body).toContain('<returnval>true</returnval>');
    faultOf(await soap(UNSUPPORTED, cookie), 'NotSupported');
    const rest = await new HttpClient(deployment.api.baseUrl)
      .withToken(token)
      .request('GET', '/api/session');
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ user: 'alice' });

    const out = await soap(
      `<Logout xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this></Logout>`,
      cookie,
    );
    expect(out.status).toBe(200);
    faultOf(await soap(UNSUPPORTED, cookie), 'NotAuthenticated');
  });

  it('the time needs no login; bodies that are not SOAP are InvalidRequest faults, never JSON', async () => {
    const time = await soap(
      `<CurrentTime xmlns="urn:vim25"><_this type="ServiceInstance">ServiceInstance</_this></CurrentTime>`,
    );
    expect(time.status).toBe(200);
    const returned = /<returnval>([^<]+)<\/returnval>/.exec(time.body)?.[1];
    expect(Math.abs(Date.parse(returned!) - Date.now())).toBeLessThan(60_000);

    faultOf(await soap('<?xml version="1.0"?><Envelope><Body><Login>'), 'InvalidRequest');
    faultOf(await soap('{"json": true}'), 'InvalidRequest');
    faultOf(
      await soap(
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><Envelope><Body><Login>&a;</Login></Body></Envelope>',
      ),
      'InvalidRequest',
    );
  });
});
