export * from './elements.js'
export { ColumnRef, Column } from './column.js'
export { FromClause, Join, TableAlias, Subquery, alias, inferJoinCondition } from './from.js'
export type { ForeignKeyPair, JoinType, AliasColumns, SubqueryColumns, NamedColumnsQuery } from './from.js'
export { Table } from './table.js'
export type { ColumnSpecs, SpecValue, TableColumns, TableRow, InsertRow, ResolvedForeignKey } from './table.js'
export {
  CLAUSE, JOIN_PATH, ColumnGroup, Select, CompoundSelect, CommonTableExpression, select, union, unionAll, intersect, except,
  resolveItem, resolveFrom, inferFroms, columnsIn, resultColumnsOf,
} from './select.js'
export type { ClauseProvider, JoinPathProvider, SelectItem, RowOf, MappingOf, SelectColumn, SelectState, JoinStep, LockOptions } from './select.js'
export { Insert, Update, Delete, insert, update, del, delete_ } from './dml.js'
export { func, typed, text, TextClause } from './functions.js'
export type { FuncNamespace } from './functions.js'
export { KeyBuilder, newObjectId, keyList } from './key.js'
export type { Keyed } from './key.js'
