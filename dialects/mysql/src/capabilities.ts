import type { Capabilities, IsolationLevel } from '@athanor/core'
import { versionAtLeast, type MysqlServerInfo } from './server-info.js'

const ALL_ISOLATION_LEVELS: readonly IsolationLevel[] = ['READ UNCOMMITTED', 'READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE']

/**
 * What the connected server can do. MySQL and MariaDB share this package but differ in
 * RETURNING and set operations, so the flags depend on flavour and version.
 *
 * ```ts
 * const caps = mysqlCapabilities(await serverInfo(connection))
 * if (caps.returning.insert) { … INSERT … RETURNING … } else { … insertId arithmetic … }
 * ```
 */
export function mysqlCapabilities(info: Pick<MysqlServerInfo, 'flavour' | 'versionNumbers'> & Partial<Pick<MysqlServerInfo, 'clusterAutoIncrement'>>): Capabilities {
  const v = info.versionNumbers
  const mariadb = info.flavour === 'mariadb'
  const insertReturning = mariadb && versionAtLeast(v, 10, 5)
  return {
    returning: {
      insert: insertReturning,
      // DELETE … RETURNING exists since MariaDB 10.0.5; UPDATE … RETURNING does not exist in any
      // MariaDB we test (10.11 answers ER_PARSE_ERROR). MySQL has no RETURNING at all.
      delete: mariadb && versionAtLeast(v, 10, 0, 5),
      update: false,
    },
    multiRowInsert: true,
    // Verified on MariaDB 10.11 (test 'INSERT … RETURNING returns rows in VALUES order'):
    // rows come back in VALUES order, with ids ascending.
    orderedReturning: insertReturning,
    // Without RETURNING a multi-row INSERT reports only the first id; InnoDB hands out a
    // consecutive block (innodb_autoinc_lock_mode 1 and 2 both do for a single "simple insert"),
    // spaced by the session's @@auto_increment_increment, which the connection reads (and reads
    // again after a statement that sets it). Not on a Galera node managing the step: it changes
    // with the cluster's size, between any reading and the INSERT.
    insertIdArithmetic: info.clusterAutoIncrement !== true,
    savepoints: true,
    // Every DDL statement commits implicitly.
    transactionalDdl: false,
    // ALTER TABLE … ADD CONSTRAINT … FOREIGN KEY / DROP FOREIGN KEY break cycles in createAll.
    alterForeignKeys: true,
    ilike: false,
    nullsOrdering: false,
    fullJoin: false,
    intersectExcept: mariadb ? versionAtLeast(v, 10, 3) : versionAtLeast(v, 8, 0, 31),
    rowLocks: true,
    tupleIn: true,
    // LATERAL derived tables came in MySQL 8.0.14; MariaDB has none. Neither has FILTER or DISTINCT ON.
    lateral: !mariadb && versionAtLeast(v, 8, 0, 14),
    rollup: 'with-rollup',
    // The prepared-statement protocol counts parameters in 16 bits.
    maxParams: 65535,
    concurrentConnections: true,
    isolationLevels: ALL_ISOLATION_LEVELS,
    // InnoDB rolls back the whole transaction of a deadlock victim, savepoints included
    // (MariaDB: the savepoint is gone, 1305, and @@in_transaction = 0).
    deadlockEndsTransaction: true,
    serializationFailures: false,
    // MariaDB: max_statement_time (every statement); MySQL: max_execution_time (SELECT only).
    statementTimeout: true,
    // ON DUPLICATE KEY UPDATE fires on any unique key; it has no conflict target.
    upsertAnyKey: true,
    updateReturning: false,
    // Parsed from the error messages (errors.ts). A unique violation names only the index,
    // prefixed with its table since MySQL 8.0.19; MariaDB's CHECK failure names the table too.
    integrityErrorFields: {
      unique: mariadb || !versionAtLeast(v, 8, 0, 19) ? ['constraint'] : ['constraint', 'table'],
      'foreign-key': ['constraint', 'table', 'columns', 'referencedTable'],
      'foreign-key-parent': ['constraint', 'table', 'columns', 'referencedTable'],
      'not-null': ['columns'],
      check: mariadb ? ['constraint', 'table'] : ['constraint'],
    },
  }
}
