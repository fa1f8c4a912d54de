/**
 * raw-alt: raw's hand-written SQL and object building, unchanged, on the alternative drivers
 * other libraries sit on — node-postgres, the mariadb connector, and the native synchronous
 * `libsql` binding (see db/alt-sql-clients.ts). Not the baseline: it shows how much of a
 * library's ratio is its driver rather than the library itself.
 */
import type { ContenderDefinition } from './contender.js';
import { raw, rawSession } from './raw.js';
import { openAltSqlClient } from '../db/alt-sql-clients.js';

export const rawAlt: ContenderDefinition = {
  name: 'raw-alt',
  library: 'pg (node-postgres) / mariadb / libsql (native, sync), hand-written SQL',
  dialects: ['pg', 'mysql', 'libsql'],
  countsStatements: true,
  strategies: { ...raw.strategies, 'pk-lookups': 'SELECT … WHERE id = ? per lookup (pg: unnamed statement; mariadb: execute; libsql: cached prepare)' },
  async connect(ctx) {
    return rawSession(await openAltSqlClient(ctx.dialect, ctx.url, ctx.filePath, ctx.counter));
  },
};
