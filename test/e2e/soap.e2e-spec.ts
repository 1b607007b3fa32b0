import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

import { HttpClient, ovfDescriptor, startSourceServer } from '@cls/testing';

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
      // `GOVC_DEBUG=true GOVC_DEBUG_PATH=<folder> npx jest …` keeps govc's requests and answers.
      ...(process.env.GOVC_DEBUG_PATH
        ? { GOVC_DEBUG: 'true', GOVC_DEBUG_PATH: process.env.GOVC_DEBUG_PATH }
        : {}),
    },
    timeout: 60_000,
  });
  return stdout;
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

const UNSUPPORTED = `<PowerOnVM_Task xmlns="urn:vim25"><_this type="VirtualMachine">vm-1</_this></PowerOnVM_Task>`;

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

  it('govc datastore.info finds the datastores through the inventory, by name', async () => {
    const info = await govc(['datastore.info']);
    expect(info).toMatch(/^Name:\s+datastore-1$/m);
    expect(info).toMatch(/^\s+Path:\s+\/Datacenter\/datastore\/datastore-1$/m);
    expect(info).toMatch(/^\s+Type:\s+OTHER$/m);
    expect(info).toMatch(/^\s+URL:\s+ds:\/\/\/vmfs\/volumes\/datastore-1\/$/m);
    const capacity = Number(/^\s+Capacity:\s+([\d.]+) GB$/m.exec(info)?.[1]);
    const free = Number(/^\s+Free:\s+([\d.]+) GB$/m.exec(info)?.[1]);
    expect(capacity).toBeGreaterThan(0);
    expect(free).toBeGreaterThanOrEqual(0);
    expect(free).toBeLessThanOrEqual(capacity);
    expect(await govc(['datastore.info', 'datastore-1'])).toMatch(/^Name:\s+datastore-1$/m);
    await expect(govc(['datastore.info', 'no-such-datastore'])).rejects.toThrow(/not found/);
    // Browsing a datastore's files is not served: a SOAP fault that says so.
    await expect(govc(['datastore.ls', '-ds', 'datastore-1'])).rejects.toThrow(
      /SearchDatastore_Task is not supported/,
    );
  });

  it('govc, unmodified and by name, does a whole library workflow: create, import (ISO, OVF, OVA, pull), info, export byte-exact, cp, session.ls, rm', async () => {
    const home = mkdtempSync(join(tmpdir(), 'cls-govc-'));
    const out = mkdtempSync(join(tmpdir(), 'cls-govc-out-'));
    const exported = async (item: string, file: string): Promise<Buffer> => {
      const folder = join(out, item.replace('/', '-'));
      mkdirSync(folder);
      await govc(['library.export', item, `${folder}/`], home);
      return readFileSync(join(folder, file));
    };

    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    expect((await govc(['library.create', '-ds', 'datastore-1', 'lib1'], home)).trim()).toMatch(
      uuid,
    );
    expect((await govc(['library.create', '-ds', 'datastore-1', 'lib2'], home)).trim()).toMatch(
      uuid,
    );
    expect((await govc(['library.ls'], home)).split('\n')).toEqual(
      expect.arrayContaining(['/lib1', '/lib2']),
    );
    const libraryInfo = await govc(['library.info', 'lib1'], home);
    expect(libraryInfo).toMatch(/^Name:\s+lib1$/m);
    expect(libraryInfo).toMatch(/^\s+Path:\s+\/lib1$/m);
    expect(libraryInfo).toMatch(/^\s+DatastoreID:\s+datastore-1$/m);

    // An ISO, an OVF folder with its manifest, an OVA, and a file the server pulls.
    const iso = randomBytes(4 * 1024 * 1024);
    writeFileSync(join(home, 'test.iso'), iso);
    const folder = join(home, 'tiny');
    mkdirSync(folder);
    const disk = randomBytes(70_000);
    const descriptor = ovfDescriptor(['disk1.vmdk']);
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
    const source = await startSourceServer({ size: 3 * 1024 * 1024 });
    try {
      await govc(['library.import', 'lib1', join(home, 'test.iso')], home);
      await govc(['library.import', '-m', 'lib1', join(folder, 'tiny.ovf')], home);
      await govc(['library.import', '-m', '-n', 'tinyova', 'lib1', join(home, 'tiny.ova')], home);
      await govc(
        ['library.import', '-pull', '-n', 'pulled', 'lib1', `${source.baseUrl}/file.bin`],
        home,
      );
    } finally {
      await source.close();
    }
    expect((await govc(['library.ls', 'lib1/*'], home)).trim().split('\n').sort()).toEqual([
      '/lib1/pulled',
      '/lib1/test',
      '/lib1/tiny',
      '/lib1/tinyova',
    ]);

    const itemInfo = await govc(['library.info', 'lib1/test'], home);
    expect(itemInfo).toMatch(/^Name:\s+test$/m);
    expect(itemInfo).toMatch(/^\s+Path:\s+\/lib1\/test$/m);
    expect(itemInfo).toMatch(/^\s+Type:\s+iso$/m);
    expect(itemInfo).toMatch(/^\s+Size:\s+4\.0MB$/m);
    expect(await govc(['library.info', 'lib1/tiny'], home)).toMatch(/^\s+Type:\s+ovf$/m);

    expect((await exported('lib1/test', 'test.iso')).equals(iso)).toBe(true);
    expect((await exported('lib1/pulled', 'file.bin')).equals(source.bytes)).toBe(true);
    for (const item of ['lib1/tiny', 'lib1/tinyova']) {
      expect((await exported(item, 'disk1.vmdk')).equals(disk)).toBe(true);
      expect(readFileSync(join(out, item.replace('/', '-'), 'tiny.ovf')).equals(descriptor)).toBe(
        true,
      );
    }

    await govc(['library.cp', '-n', 'copied', 'lib1/test', 'lib2'], home);
    expect((await govc(['library.ls', 'lib2/*'], home)).trim()).toBe('/lib2/copied');
    expect((await exported('lib2/copied', 'test.iso')).equals(iso)).toBe(true);

    const sessions = await govc(['library.session.ls'], home);
    for (const item of ['test', 'tiny', 'tinyova', 'pulled'])
      expect(sessions).toMatch(new RegExp(`/lib1/${item}\\s+Update\\s+\\d+\\s+\\d+\\s+DONE`));

    await govc(['library.rm', 'lib1/test'], home);
    expect((await govc(['library.ls', 'lib1/*'], home)).trim().split('\n').sort()).toEqual([
      '/lib1/pulled',
      '/lib1/tiny',
      '/lib1/tinyova',
    ]);
    await govc(['library.rm', 'lib2'], home);
    const libraries = (await govc(['library.ls'], home)).split('\n');
    expect(libraries).toContain('/lib1');
    expect(libraries).not.toContain('/lib2');
  }, 240_000);

  it('RetrievePropertiesEx answers in one go; the datastores are hidden from a login without System.Read', async () => {
    const created = await deployment.admin.request('POST', '/api/cls/users', {
      body: {
        name: 'carol',
        password: 'carol-password',
        grants: [{ privilege: 'ContentLibrary.ReadStorage' }],
      },
    });
    expect(created.status).toBe(201);
    const cookieOf = async (user: string): Promise<string> => {
      const answer = await login(user, `${user}-password`);
      expect(answer.status).toBe(200);
      return /^(vmware_soap_session="[0-9a-f]+")/.exec(answer.cookie ?? '')![1]!;
    };
    const datastoresEx = `<RetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><specSet><propSet><type>Datastore</type><pathSet>summary</pathSet></propSet><objectSet><obj type="Folder">group-s5</obj><skip>true</skip><selectSet xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="TraversalSpec"><type>Folder</type><path>childEntity</path></selectSet></objectSet></specSet><options/></RetrievePropertiesEx>`;

    const alice = await soap(datastoresEx, await cookieOf('alice'));
    expect(alice.status).toBe(200);
    expect(alice.body).toContain(
      '<RetrievePropertiesExResponse xmlns="urn:vim25"><returnval><objects><obj type="Datastore">datastore-1</obj>',
    );
    expect(alice.body).not.toContain('<token>');
    const capacity = Number(/<capacity>(\d+)<\/capacity>/.exec(alice.body)?.[1]);
    const rest = await deployment.alice.request('GET', '/api/vcenter/datastore');
    expect(rest.body).toEqual([
      expect.objectContaining({ datastore: 'datastore-1', name: 'datastore-1', capacity }),
    ]);

    const carol = await soap(datastoresEx, await cookieOf('carol'));
    expect(carol.status).toBe(200);
    expect(carol.body).toContain(
      '<RetrievePropertiesExResponse xmlns="urn:vim25"></RetrievePropertiesExResponse>',
    );

    faultOf(
      await soap(
        `<ContinueRetrievePropertiesEx xmlns="urn:vim25"><_this type="PropertyCollector">propertyCollector</_this><token>1</token></ContinueRetrievePropertiesEx>`,
        await cookieOf('alice'),
      ),
      'InvalidArgument',
    );
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
