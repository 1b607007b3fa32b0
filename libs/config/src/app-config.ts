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

const environment = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
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
  LOGIN_IDLE_TIMEOUT_SECONDS: positiveInt(1800),
  CLS_ADMIN_USER: z.string().min(1).default('administrator@vsphere.local'),
  CLS_ADMIN_PASSWORD: z.string().min(8).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  DATASTORES: datastoreList,
  LIBRARY_STORAGE_ROOTS: pathList,
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  SHUTDOWN_GRACE_SECONDS: positiveInt(25),
  CLS_FAILPOINTS: z.string().optional(),
});

export interface Datastore {
  readonly id: string;
  /** Absolute directory where libraries backed by this datastore keep their files. */
  readonly path: string;
}

export type LogLevel = (typeof LOG_LEVELS)[number];

export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Prefix of every Redis key, so several deployments (or test runs) share one Redis. */
  readonly redisPrefix: string;
  readonly storageRoot: string;
  readonly sessionTimeoutSeconds: number;
  readonly loginIdleTimeoutSeconds: number;
  readonly adminUser: string;
  readonly adminPassword?: string;
  readonly logLevel: LogLevel;
  readonly datastores: readonly Datastore[];
  /** Folders under which an OTHER backing's `file://` storage_uri may point. */
  readonly libraryStorageRoots: readonly string[];
  /** Base of data-plane URLs handed to clients; default: the scheme and host the client used. */
  readonly publicUrl?: string;
  readonly shutdownGraceSeconds: number;
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
  const storageRoot = resolve(e.STORAGE_ROOT);
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redisPrefix: e.REDIS_PREFIX,
    storageRoot,
    sessionTimeoutSeconds: e.SESSION_TIMEOUT_SECONDS,
    loginIdleTimeoutSeconds: e.LOGIN_IDLE_TIMEOUT_SECONDS,
    adminUser: e.CLS_ADMIN_USER,
    ...(e.CLS_ADMIN_PASSWORD === undefined ? {} : { adminPassword: e.CLS_ADMIN_PASSWORD }),
    logLevel: e.LOG_LEVEL,
    datastores: Object.freeze(
      e.DATASTORES ?? [{ id: 'datastore-1', path: resolve(storageRoot, 'datastore-1') }],
    ),
    libraryStorageRoots: Object.freeze(e.LIBRARY_STORAGE_ROOTS ?? [storageRoot]),
    ...(e.PUBLIC_URL === undefined ? {} : { publicUrl: e.PUBLIC_URL.replace(/\/+$/, '') }),
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    failpoints: Object.freeze(
      (e.CLS_FAILPOINTS ?? '')
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    ),
  });
}
