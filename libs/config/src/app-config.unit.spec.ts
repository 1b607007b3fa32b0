import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

import { ConfigError, loadConfig } from './app-config';

function configError(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('loadConfig accepted the environment');
}

describe('loadConfig', () => {
  describe('defaults', () => {
    const config = loadConfig({});

    it('listens on 0.0.0.0:8080', () => {
      expect(config.port).toBe(8080);
      expect(config.host).toBe('0.0.0.0');
    });

    it('opens no metrics port of its own', () => {
      expect(config.metricsPort).toBeUndefined();
    });

    it('expires sessions after 300 s and idle logins after 1800 s', () => {
      expect(config.sessionTimeoutSeconds).toBe(300);
      expect(config.loginIdleTimeoutSeconds).toBe(1800);
    });

    it('cuts an upload body that sends nothing for 60 s', () => {
      expect(config.uploadIdleTimeoutSeconds).toBe(60);
    });

    it('locks a user name out for 60 s after 10 wrong passwords within 300 s', () => {
      expect(config.loginThrottle).toEqual({
        maxFailures: 10,
        windowSeconds: 300,
        lockoutSeconds: 60,
      });
    });

    it('talks to a local Postgres and Redis', () => {
      expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/cls');
      expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
      expect(config.redisPrefix).toBe('cls');
    });

    it('logs at info with no admin password or extra settings', () => {
      expect(config.logLevel).toBe('info');
      expect(config).not.toHaveProperty('adminPassword');
      expect(config.adminUser).toBe('administrator@vsphere.local');
      expect(config.shutdownGraceSeconds).toBe(25);
    });

    it('hashes on one thread per core beside the event loop', () => {
      expect(config.hashThreads).toBe(Math.max(1, availableParallelism() - 1));
    });

    it('runs every worker role, four jobs per queue, pulls only from public addresses and no import roots', () => {
      expect(config.workerRoles).toEqual([
        'relay',
        'transfer',
        'validation',
        'expiration',
        'cleanup',
      ]);
      expect(config.workerConcurrency).toBe(4);
      expect(config.pullAllowedNetworks).toEqual([]);
      expect(config.pullAllowedSchemes).toEqual(['http', 'https', 'file', 'ds']);
      expect(config).not.toHaveProperty('pullAllowedPorts');
      expect(config.importRoots).toEqual([]);
      expect(config.pullStallSeconds).toBe(30);
      expect(config.pullAttempts).toBe(5);
    });

    it('stores under ./var/storage made absolute', () => {
      expect(config.storageRoot).toBe(resolve('./var/storage'));
    });

    it('offers one datastore, datastore-1, under STORAGE_ROOT, and STORAGE_ROOT as the only library root', () => {
      const custom = loadConfig({ STORAGE_ROOT: '/srv/cls' });
      expect(custom.storageRoot).toBe('/srv/cls');
      expect(custom.datastores).toEqual([{ id: 'datastore-1', path: '/srv/cls/datastore-1' }]);
      expect(custom.libraryStorageRoots).toEqual(['/srv/cls']);
    });
  });

  it('reads every setting it is given', () => {
    const config = loadConfig({
      PORT: '9090',
      HOST: '127.0.0.1',
      METRICS_PORT: '9464',
      DATABASE_URL: 'postgresql://cls:secret@db:5432/cls',
      REDIS_URL: 'rediss://cache:6380',
      REDIS_PREFIX: 'cls-test.1',
      SESSION_TIMEOUT_SECONDS: '60',
      LOGIN_IDLE_TIMEOUT_SECONDS: '120',
      CLS_ADMIN_USER: 'root',
      CLS_ADMIN_PASSWORD: 'correct horse',
      LOG_LEVEL: 'debug',
      LIBRARY_STORAGE_ROOTS: '/srv/a, /srv/b/,',
      SHUTDOWN_GRACE_SECONDS: '5',
      HASH_THREADS: '0',
      WORKER_ROLES: 'transfer, expiration,transfer',
      WORKER_CONCURRENCY: '16',
      PULL_ALLOWED_NETWORKS: '127.0.0.0/8, 10.1.0.0/16,fd00::/8',
      PULL_ALLOWED_SCHEMES: 'HTTPS, file',
      PULL_ALLOWED_PORTS: '443, 8000-8999',
      IMPORT_ROOTS: '/srv/isos',
      PULL_STALL_SECONDS: '5',
      PULL_ATTEMPTS: '2',
    });
    expect(config).toMatchObject({
      port: 9090,
      host: '127.0.0.1',
      metricsPort: 9464,
      databaseUrl: 'postgresql://cls:secret@db:5432/cls',
      redisUrl: 'rediss://cache:6380',
      redisPrefix: 'cls-test.1',
      sessionTimeoutSeconds: 60,
      loginIdleTimeoutSeconds: 120,
      adminUser: 'root',
      adminPassword: 'correct horse',
      logLevel: 'debug',
      libraryStorageRoots: ['/srv/a', '/srv/b'],
      shutdownGraceSeconds: 5,
      hashThreads: 0,
      workerRoles: ['transfer', 'expiration'],
      workerConcurrency: 16,
      pullAllowedNetworks: ['127.0.0.0/8', '10.1.0.0/16', 'fd00::/8'],
      pullAllowedSchemes: ['https', 'file'],
      pullAllowedPorts: [
        [443, 443],
        [8000, 8999],
      ],
      importRoots: ['/srv/isos'],
      pullStallSeconds: 5,
      pullAttempts: 2,
    });
  });

  it('treats empty values as unset', () => {
    const config = loadConfig({
      PORT: '',
      SESSION_TIMEOUT_SECONDS: '',
      DATABASE_URL: '',
      LOG_LEVEL: '',
      DATASTORES: '',
      STORAGE_ROOT: '',
    });
    expect(config.port).toBe(8080);
    expect(config.sessionTimeoutSeconds).toBe(300);
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/cls');
    expect(config.logLevel).toBe('info');
    expect(config.datastores).toEqual([
      { id: 'datastore-1', path: resolve('./var/storage', 'datastore-1') },
    ]);
  });

  it('treats whitespace-only values as unset', () => {
    expect(loadConfig({ PORT: '  ' }).port).toBe(8080);
  });

  it('ignores variables it does not know', () => {
    expect(loadConfig({ PATH: '/bin', PORT: '1234' }).port).toBe(1234);
  });

  describe('bad values', () => {
    it('reports every offending key at once', () => {
      const error = configError({
        PORT: 'abc',
        SESSION_TIMEOUT_SECONDS: '-1',
        DATABASE_URL: 'mysql://x',
        LOG_LEVEL: 'loud',
        HOST: 'fine',
      });
      expect(error.name).toBe('ConfigError');
      expect([...error.offendingKeys].sort()).toEqual([
        'DATABASE_URL',
        'LOG_LEVEL',
        'PORT',
        'SESSION_TIMEOUT_SECONDS',
      ]);
      for (const key of error.offendingKeys) expect(error.message).toContain(key);
    });

    it.each([
      ['PORT', '65536'],
      ['PORT', '80.5'],
      ['METRICS_PORT', '0'],
      ['METRICS_PORT', '65536'],
      ['SESSION_TIMEOUT_SECONDS', '0'],
      ['LOGIN_IDLE_TIMEOUT_SECONDS', 'soon'],
      ['LOGIN_MAX_FAILURES', '0'],
      ['UPLOAD_IDLE_TIMEOUT_SECONDS', '-5'],
      ['LOGIN_LOCKOUT_SECONDS', '1.5'],
      ['HASH_THREADS', '-1'],
      ['WORKER_ROLES', 'transfer,mining'],
      ['WORKER_CONCURRENCY', '0'],
      ['PULL_ALLOWED_NETWORKS', '127.0.0.1'],
      ['PULL_ALLOWED_NETWORKS', '10.0.0.0/33'],
      ['PULL_ALLOWED_NETWORKS', 'localhost/8'],
      ['PULL_ALLOWED_SCHEMES', 'http,ftp'],
      ['PULL_ALLOWED_PORTS', '0'],
      ['PULL_ALLOWED_PORTS', '9000-8000'],
      ['PULL_ALLOWED_PORTS', 'http'],
      ['REDIS_URL', 'http://cache'],
      ['REDIS_PREFIX', 'cls:prod'],
      ['CLS_ADMIN_PASSWORD', 'short'],
      ['DATABASE_URL', 'not a url'],
    ])('%s=%p is refused', (key, value) => {
      expect(configError({ [key]: value }).offendingKeys).toEqual([key]);
    });
  });

  describe('HTTPS', () => {
    it('has no TLS listener unless HTTPS_PORT is set', () => {
      expect(loadConfig({}).https).toBeUndefined();
    });

    it('without certificate files, the listener generates its own (no files named)', () => {
      expect(loadConfig({ HTTPS_PORT: '8443' }).https).toEqual({ port: 8443 });
    });

    it('takes a certificate and its key as absolute paths', () => {
      expect(
        loadConfig({ HTTPS_PORT: '8443', TLS_CERT_FILE: 'tls/c.pem', TLS_KEY_FILE: '/k.pem' })
          .https,
      ).toEqual({ port: 8443, certFile: resolve('tls/c.pem'), keyFile: '/k.pem' });
    });

    it('refuses a certificate without its key and a key without its certificate', () => {
      expect(configError({ HTTPS_PORT: '8443', TLS_CERT_FILE: '/c.pem' }).offendingKeys).toEqual([
        'TLS_CERT_FILE',
        'TLS_KEY_FILE',
      ]);
      expect(configError({ TLS_KEY_FILE: '/k.pem' }).offendingKeys).toEqual([
        'TLS_CERT_FILE',
        'TLS_KEY_FILE',
      ]);
      expect(configError({ HTTPS_PORT: '70000' }).offendingKeys).toEqual(['HTTPS_PORT']);
    });
  });

  describe('DATASTORES', () => {
    it('parses id=path pairs into absolute paths', () => {
      expect(loadConfig({ DATASTORES: 'ds-a=/tmp/a,ds-b=/tmp/b' }).datastores).toEqual([
        { id: 'ds-a', path: '/tmp/a' },
        { id: 'ds-b', path: '/tmp/b' },
      ]);
    });

    it('trims ids and paths and resolves relative paths', () => {
      expect(loadConfig({ DATASTORES: ' ds-a = rel/a ' }).datastores).toEqual([
        { id: 'ds-a', path: resolve('rel/a') },
      ]);
    });

    it.each(['nope', 'ds-a=', '=/tmp/a', 'ds-a=/tmp/a=b', 'ds-a=/tmp/a,,ds-b=/tmp/b'])(
      'refuses %p',
      (value) => {
        expect(configError({ DATASTORES: value }).offendingKeys).toEqual(['DATASTORES']);
      },
    );
  });

  it('returns a frozen configuration', () => {
    const config = loadConfig({ DATASTORES: 'ds-a=/tmp/a' });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.datastores)).toBe(true);
    expect(Object.isFrozen(config.libraryStorageRoots)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(config.port).toBe(8080);
  });
});
