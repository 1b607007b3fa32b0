import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';

import { DATA_SOURCE } from '@cls/database';
import type { SessionCount } from '@cls/observability';

import type { SessionKind } from './session-overview.queries';

/** How many transfer sessions each state holds, for the metrics scrape: one grouped scan per view. */
@Injectable()
export class SessionStateQueries {
  constructor(@Inject(DATA_SOURCE) private readonly db: DataSource) {}

  async counts(): Promise<SessionCount[]> {
    const rows = await this.db.query<{ kind: SessionKind; state: string; n: string }[]>(
      `SELECT 'update' AS kind, state, count(*) AS n FROM update_session_view GROUP BY state
       UNION ALL
       SELECT 'download', state, count(*) FROM download_session_view GROUP BY state`,
    );
    return rows.map((row) => ({ kind: row.kind, state: row.state, count: Number(row.n) }));
  }
}
