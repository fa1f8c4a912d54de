import { ArgumentError } from '../util/errors.js'
import type { ForeignKeyOptions } from './column-spec.js'

/** A table-level constraint or index, given after the columns of a Table. */
export type TableConstraint = UniqueConstraint | CheckConstraint | Index | PrimaryKeyConstraint | ForeignKeyConstraint

/** `UNIQUE (a, b)` over column keys. */
export class UniqueConstraint {
  readonly kind = 'unique'
  readonly columns: readonly string[]
  readonly name: string | undefined
  constructor(columns: readonly string[], options: { name?: string } = {}) {
    if (columns.length === 0) throw new ArgumentError('UniqueConstraint needs at least one column key.')
    this.columns = columns
    this.name = options.name
  }
}

/** `CHECK (sql)`; the SQL text is written by the schema's author, never from user input. */
export class CheckConstraint {
  readonly kind = 'check'
  readonly sql: string
  readonly name: string | undefined
  constructor(sql: string, options: { name?: string } = {}) {
    this.sql = sql
    this.name = options.name
  }
}

/** `CREATE [UNIQUE] INDEX name ON table (columns)`. */
export class Index {
  readonly kind = 'index'
  readonly name: string
  readonly columns: readonly string[]
  readonly unique: boolean
  constructor(name: string, columns: readonly string[], options: { unique?: boolean } = {}) {
    if (columns.length === 0) throw new ArgumentError(`Index '${name}' needs at least one column key.`)
    this.name = name
    this.columns = columns
    this.unique = options.unique ?? false
  }
}

/** A composite primary key declared at table level: `new PrimaryKeyConstraint(['a', 'b'])`. */
export class PrimaryKeyConstraint {
  readonly kind = 'primary-key'
  readonly columns: readonly string[]
  constructor(columns: readonly string[]) {
    this.columns = columns
  }
}

/** A (composite) foreign key declared at table level. */
export class ForeignKeyConstraint<K extends string = string> {
  readonly kind = 'foreign-key'
  readonly columns: readonly K[]
  readonly targets: readonly string[]
  readonly options: ForeignKeyOptions
  constructor(columns: readonly K[], targets: readonly string[], options: ForeignKeyOptions = {}) {
    if (columns.length === 0 || columns.length !== targets.length) {
      throw new ArgumentError('ForeignKeyConstraint needs as many target columns (\'table.column\') as local column keys.')
    }
    this.columns = columns
    this.targets = targets
    this.options = options
  }
}
