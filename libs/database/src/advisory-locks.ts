/**
 * Keys of the session-level `pg_advisory_lock(bigint)` locks that elect one process of the fleet
 * for a task. They share one key space per database, so they live together here: two tasks on one
 * key would silently exclude each other. (Stream locks use the separate two-key space.)
 */
export const AdvisoryLock = {
  /** Migrations run once, whichever process starts first. */
  migrations: 0x636c73, // "cls"
  /** One outbox relay leads the fleet; the others wait on standby. */
  outboxRelay: 0x636c_7301,
  /** One fleet sweeper (expiry deadlines, lost work) at a time. */
  fleetSweep: 0x636c_7302,
  /** One projection rebuild at a time. */
  projectionRebuild: 0x636c_7303,
} as const;
