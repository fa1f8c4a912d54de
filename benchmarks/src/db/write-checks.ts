/**
 * Database-side verification and cleanup for the write scenarios, run by the harness on its admin
 * connection after each iteration, outside the timed section. A contender's returned tally says
 * what it meant to write; these queries confirm what actually landed (and with the right FKs),
 * then put the database back to the seed state for the next iteration.
 */
import { CHAR_LENGTH, concatSql } from './schema-ddl.js';
import type { SqlClient } from './sql-client.js';
import { EDIT_SUFFIX, type NewAuthor } from '../workload/scenarios.js';

/** Checks an uow-insert batch landed exactly (authors, posts, FK links); returns a problem or null. */
export async function verifyInsert(db: SqlClient, stamp: string, batch: readonly NewAuthor[]): Promise<string | null> {
  const like = `ins-${stamp}-%`;
  const len = CHAR_LENGTH[db.dialect];
  const [a] = await db.query(`SELECT COUNT(*) AS n, SUM(${len}(name) + ${len}(email)) AS s FROM authors WHERE email LIKE ?`, [like]);
  // A post counts only if it hangs under the author whose name its title starts with.
  const [p] = await db.query(
    `SELECT COUNT(*) AS n, SUM(${len}(p.title) + ${len}(p.content)) AS s FROM posts p JOIN authors a ON a.id = p.author_id
     WHERE a.email LIKE ? AND p.title LIKE ${concatSql(db.dialect, 'a.name', "' / post %'")}`,
    [like],
  );
  let wantA = 0;
  let wantP = 0;
  let wantAs = 0;
  let wantPs = 0;
  for (const au of batch) {
    wantA++;
    wantAs += au.name.length + au.email.length;
    for (const po of au.posts) {
      wantP++;
      wantPs += po.title.length + po.content.length;
    }
  }
  const got = [Number(a?.n), Number(a?.s ?? 0), Number(p?.n), Number(p?.s ?? 0)];
  const want = [wantA, wantAs, wantP, wantPs];
  if (got.join() === want.join()) return null;
  return `database has authors ${got[0]} (len ${got[1]}), linked posts ${got[2]} (len ${got[3]}); expected ${want.join(', ')}`;
}

/** Deletes whatever an uow-insert iteration (or a failed attempt) wrote. */
export async function cleanupInsert(db: SqlClient, stamp: string): Promise<void> {
  const like = `ins-${stamp}-%`;
  await db.run('DELETE FROM posts WHERE author_id IN (SELECT id FROM authors WHERE email LIKE ?)', [like]);
  await db.run('DELETE FROM authors WHERE email LIKE ?', [like]);
}

/** Checks update-dirty edited exactly authors 1…count; returns a problem or null. */
export async function verifyUpdate(db: SqlClient, count: number): Promise<string | null> {
  const [r] = await db.query('SELECT COUNT(*) AS n, SUM(id) AS s, MAX(id) AS m FROM authors WHERE name LIKE ?', [`%${EDIT_SUFFIX}`]);
  const got = [Number(r?.n), Number(r?.s ?? 0), Number(r?.m ?? 0)];
  const want = [count, (count * (count + 1)) / 2, count];
  return got.join() === want.join() ? null : `edited authors in database: count/sum/max id ${got.join('/')}, expected ${want.join('/')}`;
}

/** Strips the edit suffix again, restoring the seed names. */
export async function restoreUpdate(db: SqlClient): Promise<void> {
  const len = CHAR_LENGTH[db.dialect];
  await db.run(`UPDATE authors SET name = SUBSTR(name, 1, ${len}(name) - ${EDIT_SUFFIX.length}) WHERE name LIKE ?`, [`%${EDIT_SUFFIX}`]);
}
