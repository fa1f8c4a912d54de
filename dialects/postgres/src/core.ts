/**
 * The one place this package reaches into core. Until `core/src/index.ts` exists these are
 * relative source paths; once it does, every line here becomes `from '@athanor/core'` and no
 * other file changes.
 */
export {
  AthanorError, ArgumentError, CompileError, CommitOutcomeUnknownError, ConcurrentUseError, DatabaseError, DeadlockError,
  IntegrityError, LockTimeoutError, OperationalError, ProgrammingError, SerializationError, StatementTimeoutError,
} from '@athanor/core'
export type { ConstraintInfo, IntegrityKind, StatementContext } from '@athanor/core'
export type {
  BeginOptions, Capabilities, ConnectOptions, Driver, DriverConnection, DriverResult, ExecuteOptions, IsolationLevel,
  ServerInfo, ValueProcessor,
} from '@athanor/core'
export type { SqlType, TypeKind } from '@athanor/core'
