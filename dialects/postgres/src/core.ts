/** The one place this package's driver-level modules reach into core. */
export {
  AthanorError, ArgumentError, CompileError, CommitOutcomeUnknownError, ConcurrentUseError, DatabaseError, DeadlockError,
  IntegrityError, LockTimeoutError, OperationalError, ProgrammingError, SerializationError, StatementTimeoutError, integerResult,
  SignalRelay, connectFirstReadyHost, keepShape,
} from '@athanor/core'
export type { ConstraintInfo, HostPort, IntegrityKind, StatementContext } from '@athanor/core'
export type {
  BeginOptions, Capabilities, ConnectOptions, Driver, DriverConnection, DriverResult, ExecuteOptions, IsolationLevel,
  ServerInfo, ValueProcessor,
} from '@athanor/core'
export type { SqlType, TypeKind } from '@athanor/core'
