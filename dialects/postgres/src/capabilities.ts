import type { Capabilities } from './core.js'

/**
 * What PostgreSQL (9.5+; tested on 15) can do.
 *
 * `orderedReturning`: PostgreSQL does not promise an order for `INSERT … VALUES (…), (…)
 * RETURNING`, but the executor inserts and returns the VALUES rows in list order; every ORM
 * that batches inserts on PostgreSQL relies on this. It does not hold for INSERT … SELECT
 * (or VALUES with ORDER BY).
 *
 * ```ts
 * if (postgresCapabilities.returning.insert) { … }
 * ```
 */
export const postgresCapabilities: Capabilities = Object.freeze({
  returning: Object.freeze({ insert: true, update: true, delete: true }),
  updateReturning: true,
  multiRowInsert: true,
  orderedReturning: true,
  insertIdArithmetic: false,
  savepoints: true,
  transactionalDdl: true,
  alterForeignKeys: true,
  ilike: true,
  nullsOrdering: true,
  fullJoin: true,
  intersectExcept: true,
  rowLocks: true,
  tupleIn: true,
  aggregateFilter: true,
  distinctOn: true,
  lateral: true,
  rollup: 'standard',
  // The Bind message counts parameters in an Int16 (65535); postgres.js refuses 65534 and up
  // (MAX_PARAMETERS_EXCEEDED), so the usable maximum is 65533.
  maxParams: 65533,
  concurrentConnections: true,
  isolationLevels: Object.freeze(['READ UNCOMMITTED', 'READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE'] as const),
  // A deadlock inside a savepoint aborts only that subtransaction; ROLLBACK TO recovers.
  deadlockEndsTransaction: false,
  serializationFailures: true,
  statementTimeout: true,
  deferrable: true,
  // From the error's constraint/table/column fields and DETAIL's key list (error-translation.ts).
  // A delete of a referenced row names the referencing table but lists the referenced key.
  integrityErrorFields: Object.freeze({
    unique: ['constraint', 'table', 'columns'],
    'foreign-key': ['constraint', 'table', 'columns', 'referencedTable'],
    'foreign-key-parent': ['constraint', 'table'],
    'not-null': ['table', 'columns'],
    check: ['constraint', 'table'],
  } as const),
})
