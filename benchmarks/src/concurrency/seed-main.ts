/**
 * Creates and seeds a libSQL benchmark file: `node --import tsx seed-main.ts <file> <authors>`.
 * A process of its own, so that the harness's SQL client (maybe a second copy of SQLite, see
 * concurrency-main.ts) never shares a process with Athanor's connections to the same file.
 */
import { prepareLibsqlFile, seedDatabase } from '../db/database-setup.js';
import { openSqlClient } from '../db/sql-client.js';

/** Creates the file in WAL mode and seeds `authors` authors with their posts and tags. */
export async function seed(file: string, authors: number): Promise<void> {
  await prepareLibsqlFile(file);
  const admin = await openSqlClient('libsql', `file:${file}`);
  await seedDatabase(admin, authors);
  await admin.close();
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'))) {
  await seed(process.argv[2]!, Number(process.argv[3]));
}
