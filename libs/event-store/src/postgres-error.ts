/** The fields of a node-postgres error we act on, wherever TypeORM wrapped it. */
export interface PostgresError {
  readonly code?: string;
  readonly constraint?: string;
  /** For a unique violation: the key, as `Key (columns)=(values) already exists.` */
  readonly detail?: string;
}

export function postgresErrorOf(error: unknown): PostgresError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const driverError = (error as { driverError?: unknown }).driverError ?? error;
  if (typeof driverError !== 'object' || driverError === null) return undefined;
  const { code, constraint, detail } = driverError as {
    code?: unknown;
    constraint?: unknown;
    detail?: unknown;
  };
  if (typeof code !== 'string') return undefined;
  return {
    code,
    ...(typeof constraint === 'string' ? { constraint } : {}),
    ...(typeof detail === 'string' ? { detail } : {}),
  };
}

export const UNIQUE_VIOLATION = '23505';

/** Connection loss, shutdown and "cannot connect now": the database, not the request, is at fault. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const pgError = postgresErrorOf(error);
  const code = pgError?.code ?? '';
  return (
    code.startsWith('08') ||
    code === '57P01' ||
    code === '57P02' ||
    code === '57P03' ||
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    // node-postgres says these without a code: a lost connection, a pool that cannot connect, a
    // leased connection that failed between two statements of one transaction.
    /Connection terminated|timeout exceeded when trying to connect|encountered a connection error and is not queryable/i.test(
      String((error as Error)?.message),
    )
  );
}
