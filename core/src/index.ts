/**
 * @athanor/core — an async-first ORM for TypeScript in the spirit of SQLAlchemy 2.0.
 * ```ts
 * import { createAsyncEngine, select } from '@athanor/core'
 * import '@athanor/libsql'
 * ```
 *
 * @module @athanor/core
 */
export * from './util/errors.js'
export { topoSort } from './util/topo-sort.js'
export { keepShape } from './util/kept-shapes.js'
export { SignalRelay } from './util/signal-relay.js'
export * from './types/index.js'
export { ForeignKey, ForeignKeyRef, foreignKey, ServerDefault, sqlDefault, ColumnSpec, column, mappedColumn } from './schema/column-spec.js'
export type { ReferentialAction, ForeignKeyOptions, ClientDefault, ColumnOptions } from './schema/column-spec.js'
export { UniqueConstraint, CheckConstraint, Index, PrimaryKeyConstraint, ForeignKeyConstraint } from './schema/constraints.js'
export type { TableConstraint } from './schema/constraints.js'
export { MetaData } from './schema/metadata.js'
export type { RegisteredForeignKey, RegisteredTable, SchemaExecutor, SchemaOptions } from './schema/metadata.js'
export * from './sql/index.js'
export { SqlCompiler, CompileContext } from './compiler/sql-compiler.js'
export { enumCheckSql, foreignKeyName, inlineEnumValues } from './compiler/ddl.js'
export type { ForeignKeyDdl, DdlHooks } from './compiler/ddl.js'
export { columnDefinitionDdl, foreignKeyClause, inlineEnumCanonical, needsRebuild, normalizeSqlText, qualifiedName, standardOperationDdl } from './dialect/alter-ddl.js'
export type * from './dialect/contract.js'
export type * from './dialect/schema-contract.js'
export { registerDialect, dialectForUrl, urlScheme, redactUrl } from './dialect/registry.js'
export { connectFirstReadyHost, NoReadyHostError } from './dialect/host-list.js'
export type { HostListConnector, HostPort } from './dialect/host-list.js'
export { VERSION } from './version.js'
export * from './pool/index.js'
export * from './engine/index.js'
export * from './orm/index.js'
export { EventBus, ListenerError } from './util/events.js'
export * from './plugins/index.js'
