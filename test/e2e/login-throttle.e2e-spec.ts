import { setTimeout as sleep } from 'node:timers/promises';

import type { Deployment } from './deployment';
import { startDeployment } from './deployment';

/** Three wrong passwords lock a user name out for two seconds (thirty lock an address). */
const LOCKOUT_SECONDS = 2;

let deployment: Deployment;

beforeAll(async () => {
  deployment = await startDeployment('e2e_login_throttle', {
    LOGIN_MAX_FAILURES: '3',
    LOGIN_FAILURE_WINDOW_SECONDS: '300',
    LOGIN_LOCKOUT_SECONDS: String(LOCKOUT_SECONDS),
  });
  for (const name of ['carol', 'dave', 'erin']) {
    const created = await deployment.admin.request('POST', '/api/cls/users', {
      body: { name, password: `${name}-password`, grants: [{ privilege: 'System.Read' }] },
    });
    expect(created.status).toBe(201);
  }
});

afterAll(() => deployment?.stop());

/** A login as the raw HTTP answer: the contract checker of `HttpClient` knows no 429. */
async function login(
  user: string,
  password: string,
  style: 'api' | 'rest' = 'api',
): Promise<{ status: number; retryAfter: string | null; body: unknown }> {
  const response = await fetch(
    new URL(
      style === 'api' ? '/api/session' : '/rest/com/vmware/cis/session',
      deployment.api.baseUrl,
    ),
    {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` },
    },
  );
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    body: await response.json(),
  };
}

async function soapLogin(user: string, password: string): Promise<string> {
  const response = await fetch(new URL('/sdk', deployment.api.baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'text/xml; charset="utf-8"', soapaction: 'urn:vim25/7.0' },
    body: `<?xml version="1.0" encoding="UTF-8"?><Envelope xmlns="http://schemas.xmlsoap.org/soap/envelope/"><Body><Login xmlns="urn:vim25"><_this type="SessionManager">SessionManager</_this><userName>${user}</userName><password>${password}</password></Login></Body></Envelope>`,
  });
  return response.text();
}

const statuses = async (attempts: Promise<{ status: number }>[]) =>
  (await Promise.all(attempts)).map((answer) => answer.status);

describe('login throttling', () => {
  it('locks a user name out after too many wrong passwords, in both styles and over SOAP, then lets it in', async () => {
    expect(
      await statuses([
        login('carol', 'wrong-1'),
        login('carol', 'wrong-2', 'rest'),
        login('carol', 'wrong-3'),
      ]),
    ).toEqual([401, 401, 401]);

    const locked = await login('carol', 'carol-password');
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(LOCKOUT_SECONDS);
    expect(locked.body).toMatchObject({
      error_type: 'SERVICE_UNAVAILABLE',
      messages: [expect.objectContaining({ id: 'com.vmware.cls.login.locked' })],
    });
    const lockedRest = await login('carol', 'carol-password', 'rest');
    expect(lockedRest.status).toBe(429);
    expect(lockedRest.body).toMatchObject({
      type: 'com.vmware.vapi.std.errors.service_unavailable',
      value: { error_type: 'SERVICE_UNAVAILABLE' },
    });
    expect(await soapLogin('carol', 'carol-password')).toContain('InvalidLoginFault');
    // Only that name: another user from the same address logs in.
    expect((await login('dave', 'dave-password')).status).toBe(201);

    await sleep(LOCKOUT_SECONDS * 1000 + 100);
    expect((await login('carol', 'carol-password')).status).toBe(201);
    expect(await soapLogin('carol', 'carol-password')).toContain('<returnval>');
  });

  it('forgets a user name’s failures once it logs in', async () => {
    expect(await statuses([login('dave', 'wrong-1'), login('dave', 'wrong-2')])).toEqual([
      401, 401,
    ]);
    expect((await login('dave', 'dave-password')).status).toBe(201);
    expect(await statuses([login('dave', 'wrong-3'), login('dave', 'wrong-4')])).toEqual([
      401, 401,
    ]);
    expect((await login('dave', 'dave-password')).status).toBe(201);
  });

  it('locks a client address out after ten times as many failures, whatever names they try', async () => {
    // Earlier specs' failures count too; enough unknown names to pass thirty from this address.
    const answers = await statuses(
      Array.from({ length: 30 }, (_, at) => login(`nobody-${at}`, 'wrong')),
    );
    expect(answers.every((status) => status === 401 || status === 429)).toBe(true);
    expect(answers).toContain(401);

    const locked = await login('erin', 'erin-password');
    expect(locked.status).toBe(429);
    expect(Number(locked.retryAfter)).toBeGreaterThan(0);

    await sleep(LOCKOUT_SECONDS * 1000 + 100);
    expect((await login('erin', 'erin-password')).status).toBe(201);
  });
});
