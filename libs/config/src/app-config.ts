import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';

import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** `id=path` pairs, comma-separated: the datastores libraries may be backed by. */
const datastoreList = z
  .string()
  .optional()
  .transform((value, context) => {
    if (value === undefined || value.trim() === '') return undefined;
    const entries: Datastore[] = [];
    for (const pair of value.split(',')) {
      const [id, path, ...rest] = pair.split('=');
      if (!id?.trim() || !path?.trim() || rest.length > 0) {
        context.addIssue({ code: 'custom', message: `expected id=path, got "${pair}"` });
        return z.NEVER;
      }
      entries.push({ id: id.trim(), path: resolve(path.trim()) });
    }
    return entries;
  });

const pathList = z
  .string()
  .optional()
  .transform((value) =>
    value === undefined || value.trim() === ''
      ? undefined
      : value
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean)
          .map((entry) => resolve(entry)),
  );

export const WORKER_ROLES = ['relay', 'transfer', 'validation', 'expiration', 'cleanup'] as const;
export type WorkerRole = (typeof WORKER_ROLES)[number];

const workerRoleList = z
  .string()
  .optional()
  .transform((value, context) => {
    if (value === undefined || value.trim() === '' || value.trim() === 'all')
      return [...WORKER_ROLES];
    const roles = value
      .split(',')
      .map((role) => role.trim())
      .filter(Boolean);
    const unknown = roles.filter((role) => !(WORKER_ROLES as readonly string[]).includes(role));
    if (unknown.length > 0) {
      context.addIssue({
        code: 'custom',
        message: `unknown role(s) ${unknown.join(', ')}; known: ${WORKER_ROLES.join(', ')} or all`,
      });
      return z.NEVER;
    }
    return [...new Set(roles)] as WorkerRole[];
  });

/** Comma-separated CIDRs (`10.0.0.0/8`, `127.0.0.1/32`, `fd00::/8`). */
const cidrList = z
  .string()
  .optional()
  .transform((value, context) => {
    const entries = (value ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    for (const entry of entries) {
      const [address, prefix, ...rest] = entry.split('/');
      const family = address === undefined ? 0 : isIP(address);
      const bits = Number(prefix);
      if (
        family === 0 ||
        rest.length > 0 ||
        !Number.isInteger(bits) ||
        bits < 0 ||
        bits > (family === 4 ? 32 : 128)
      ) {
        context.addIssue({ code: 'custom', message: `expected address/prefix, got "${entry}"` });
        return z.NEVER;
      }
    }
    return entries;
  });

export const PULL_SCHEMES = ['http', 'https', 'file', 'ds'] as const;

const pullSchemeList = z
  .string()
  .optional()
  .transform((value, context) => {
    if (value === undefined || value.trim() === '') return undefined;
    const schemes = value
      .split(',')
      .map((scheme) => scheme.trim().toLowerCase())
      .filter(Boolean);
    const unknown = schemes.filter(
      (scheme) => !(PULL_SCHEMES as readonly string[]).includes(scheme),
    );
    if (unknown.length > 0) {
      context.addIssue({
        code: 'custom',
        message: `unknown scheme(s) ${unknown.join(', ')}; known: ${PULL_SCHEMES.join(', ')}`,
      });
      return z.NEVER;
    }
    return schemes;
  });

/** `80,443,8000-8999`: ports and inclusive ranges. */
const portRangeList = z
  .string()
  .optional()
  .transform((value, context) => {
    if (value === undefined || value.trim() === '') return undefined;
    const ranges: (readonly [number, number])[] = [];
    for (const entry of value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)) {
      const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(entry);
      const low = Number(match?.[1]);
      const high = Number(match?.[2] ?? match?.[1]);
      if (!match || low < 1 || high > 65535 || low > high) {
        context.addIssue({ code: 'custom', message: `expected a port or range, got "${entry}"` });
        return z.NEVER;
      }
      ranges.push([low, high]);
    }
    return ranges;
  });

const environment = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  METRICS_PORT: z.coerce.number().int().min(1).max(65535).optional(),
  HOST: z.string().min(1).default('0.0.0.0'),
  HTTPS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  TLS_CERT_FILE: z.string().min(1).optional(),
  TLS_KEY_FILE: z.string().min(1).optional(),
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/ })
    .default('postgres://postgres@127.0.0.1:5432/cls'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).default('redis://127.0.0.1:6379'),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default('cls'),
  STORAGE_ROOT: z.string().min(1).default('./var/storage'),
  SESSION_TIMEOUT_SECONDS: positiveInt(300),
  COMPLETION_TIMEOUT_SECONDS: positiveInt(86_400),
  LOGIN_IDLE_TIMEOUT_SECONDS: positiveInt(1800),
  UPLOAD_IDLE_TIMEOUT_SECONDS: positiveInt(60),
  LOGIN_MAX_FAILURES: positiveInt(10),
  LOGIN_FAILURE_WINDOW_SECONDS: positiveInt(300),
  LOGIN_LOCKOUT_SECONDS: positiveInt(60),
  CLS_ADMIN_USER: z.string().min(1).default('administrator@vsphere.local'),
  CLS_ADMIN_PASSWORD: z.string().min(8).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  DATASTORES: datastoreList,
  LIBRARY_STORAGE_ROOTS: pathList,
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  SHUTDOWN_GRACE_SECONDS: positiveInt(25),
  HASH_THREADS: z.coerce.number().int().min(0).max(64).optional(),
  WORKER_ROLES: workerRoleList,
  WORKER_CONCURRENCY: positiveInt(4),
  PULL_ALLOWED_NETWORKS: cidrList,
  PULL_ALLOWED_SCHEMES: pullSchemeList,
  PULL_ALLOWED_PORTS: portRangeList,
  IMPORT_ROOTS: pathList,
  PULL_STALL_SECONDS: positiveInt(30),
  STAGED_UPLOAD_CONFIRM_SECONDS: positiveInt(30),
  PULL_ATTEMPTS: positiveInt(5),
  CLS_FAILPOINTS: z.string().optional(),
});

export interface Datastore {
  readonly id: string;
  /** Absolute directory where libraries backed by this datastore keep their files. */
  readonly path: string;
}

export type LogLevel = (typeof LOG_LEVELS)[number];

/** The API's TLS listener: its port, and the certificate's files (unset: self-signed, kept). */
export interface HttpsConfig {
  readonly port: number;
  readonly certFile?: string;
  readonly keyFile?: string;
}

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  /** The same application over TLS beside `port`; unset: no TLS listener. */
  readonly https?: HttpsConfig;
  /** Where a worker process answers Prometheus (`GET /metrics`); unset: it does not listen. */
  readonly metricsPort?: number;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Prefix of every Redis key, so several deployments (or test runs) share one Redis. */
  readonly redisPrefix: string;
  readonly storageRoot: string;
  readonly sessionTimeoutSeconds: number;
  /**
   * How long the service may take to finish a `complete` it accepted while pulls were in flight
   * (the client's idle timeout no longer applies then) before the session ends ERROR.
   */
  readonly completionTimeoutSeconds: number;
  readonly loginIdleTimeoutSeconds: number;
  /** How long an upload body may send nothing before its connection is cut (it stays resumable). */
  readonly uploadIdleTimeoutSeconds: number;
  /**
   * Wrong passwords for one user name, or from one client address, within `windowSeconds` that
   * lock it out of logging in for `lockoutSeconds`.
   */
  readonly loginThrottle: {
    readonly maxFailures: number;
    readonly windowSeconds: number;
    readonly lockoutSeconds: number;
  };
  readonly adminUser: string;
  readonly adminPassword?: string;
  readonly logLevel: LogLevel;
  readonly datastores: readonly Datastore[];
  /** Folders under which an OTHER backing's `file://` storage_uri may point. */
  readonly libraryStorageRoots: readonly string[];
  /** Base of data-plane URLs handed to clients; default: the scheme and host the client used. */
  readonly publicUrl?: string;
  readonly shutdownGraceSeconds: number;
  /**
   * Threads that hash large uploads needing several digests, off the event loop. Default: one per
   * core beside the event loop's, at least one; 0 hashes on the event loop.
   */
  readonly hashThreads: number;
  /** What a worker process runs; every role by default. */
  readonly workerRoles: readonly WorkerRole[];
  /** Jobs of each queue a worker process runs at once. */
  readonly workerConcurrency: number;
  /** Networks pulls may reach beyond public addresses (loopback and private ranges are refused otherwise). */
  readonly pullAllowedNetworks: readonly string[];
  /** Source schemes pulls may use (http, https, file, ds); all by default. */
  readonly pullAllowedSchemes: readonly string[];
  /** Ports pulls may connect to, as inclusive ranges; undefined: any port. */
  readonly pullAllowedPorts?: readonly (readonly [number, number])[];
  /** Folders `file://` and `ds://` pull sources may read; none by default. */
  readonly importRoots: readonly string[];
  /** A pull that receives no bytes this long is aborted and retried. */
  readonly pullStallSeconds: number;
  /**
   * How long a PUSH file's staging must sit whole and untouched before the sweep records its
   * receipt, lost when the service was away as the body ended.
   */
  readonly stagedUploadConfirmSeconds: number;
  /** Tries of a pull before its file fails (transient errors only). */
  readonly pullAttempts: number;
  /** Crash-test hooks: points where the process kills itself (see failpoint.ts). Empty in production. */
  readonly failpoints: readonly string[];
}

export class ConfigError extends Error {
  constructor(
    readonly offendingKeys: readonly string[],
    details: string,
  ) {
    super(`Invalid configuration (${offendingKeys.join(', ')}):\n${details}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the whole environment once; a bad value stops the boot with every offending key. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const blankAsUnset = Object.fromEntries(
    Object.keys(environment.shape).flatMap((key) => {
      const value = env[key];
      return value === undefined || value.trim() === '' ? [] : [[key, value.trim()]];
    }),
  );
  const parsed = environment.safeParse(blankAsUnset);
  if (!parsed.success) {
    const keys = [...new Set(parsed.error.issues.map((issue) => String(issue.path[0])))];
    const details = parsed.error.issues
      .map((issue) => `  ${String(issue.path[0])}: ${issue.message}`)
      .join('\n');
    throw new ConfigError(keys, details);
  }
  const e = parsed.data;
  if ((e.TLS_CERT_FILE === undefined) !== (e.TLS_KEY_FILE === undefined))
    throw new ConfigError(
      ['TLS_CERT_FILE', 'TLS_KEY_FILE'],
      '  TLS_CERT_FILE and TLS_KEY_FILE: set both (a certificate and its key) or neither',
    );
  const storageRoot = resolve(e.STORAGE_ROOT);
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    ...(e.HTTPS_PORT === undefined
      ? {}
      : {
          https: Object.freeze({
            port: e.HTTPS_PORT,
            ...(e.TLS_CERT_FILE === undefined
              ? {}
              : { certFile: resolve(e.TLS_CERT_FILE), keyFile: resolve(e.TLS_KEY_FILE ?? '') }),
          }),
        }),
    ...(e.METRICS_PORT === undefined ? {} : { metricsPort: e.METRICS_PORT }),
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    storageRoot,
    sessionTimeoutSeconds: e.SESSION_TIMEOUT_SECONDS,
    completionTimeoutSeconds: e.COMPLETION_TIMEOUT_SECONDS,
    loginIdleTimeoutSeconds: e.LOGIN_IDLE_TIMEOUT_SECONDS,
    uploadIdleTimeoutSeconds: e.UPLOAD_IDLE_TIMEOUT_SECONDS,
    loginThrottle: {
      maxFailures: e.LOGIN_MAX_FAILURES,
      windowSeconds: e.LOGIN_FAILURE_WINDOW_SECONDS,
      lockoutSeconds: e.LOGIN_LOCKOUT_SECONDS,
    },
    adminUser: e.CLS_ADMIN_USER,
    ...(e.CLS_ADMIN_PASSWORD === undefined ? {} : { adminPassword: e.CLS_ADMIN_PASSWORD }),
    logLevel: e.LOG_LEVEL,
    datastores: Object.freeze(
      e.DATASTORES ?? [{ id: 'datastore-1', path: resolve(storageRoot, 'datastore-1') }],
    ),
    libraryStorageRoots: Object.freeze(e.LIBRARY_STORAGE_ROOTS ?? [storageRoot]),
    ...(e.PUBLIC_URL === undefined ? {} : { publicUrl: e.PUBLIC_URL.replace(/\/+$/, '') }),
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    hashThreads: e.HASH_THREADS ?? Math.max(1, availableParallelism() - 1),
    workerRoles: Object.freeze(e.WORKER_ROLES),
    workerConcurrency: e.WORKER_CONCURRENCY,
    pullAllowedNetworks: Object.freeze(e.PULL_ALLOWED_NETWORKS),
    pullAllowedSchemes: Object.freeze(e.PULL_ALLOWED_SCHEMES ?? [...PULL_SCHEMES]),
    ...(e.PULL_ALLOWED_PORTS === undefined
      ? {}
      : { pullAllowedPorts: Object.freeze(e.PULL_ALLOWED_PORTS) }),
    importRoots: Object.freeze(e.IMPORT_ROOTS ?? []),
    pullStallSeconds: e.PULL_STALL_SECONDS,
    stagedUploadConfirmSeconds: e.STAGED_UPLOAD_CONFIRM_SECONDS,
    pullAttempts: e.PULL_ATTEMPTS,
    failpoints: Object.freeze(
      (e.CLS_FAILPOINTS ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  });
}
