import {
  CheckConstraint, ColumnSpec, ForeignKeyConstraint, ForeignKeyRef, Index, PrimaryKeyConstraint, ServerDefault, SqlType, UniqueConstraint,
} from '@athanor/core'

/**
 * Values as TypeScript source, for revision files and generated models: strings, numbers,
 * arrays and plain objects, core types (`String(50)`), `column()` specs, constraints and
 * `sqlDefault()`. Every core name a piece of code uses is recorded in `imports`.
 */
export class CodeWriter {
  readonly imports = new Set<string>()

  /** A string literal in single quotes. */
  static quote(s: string): string {
    return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`
  }

  type(t: SqlType<unknown>): string {
    const o = t.options
    const use = (name: string, code = name): string => (this.imports.add(name), code)
    switch (t.kind) {
      case 'integer': return use('Integer')
      case 'bigint': return use('BigInteger')
      case 'smallint': return use('SmallInteger')
      case 'float': return use('Float')
      case 'numeric': return use('Numeric', o.precision === undefined ? 'Numeric()' : `Numeric(${o.precision}, ${o.scale ?? 0})`)
      case 'string': return use('String', o.length === undefined ? 'String()' : `String(${o.length})`)
      case 'text': return use('Text')
      case 'boolean': return use('Boolean')
      case 'date': return use('DateType')
      case 'datetime': return use('DateTime', o.timezone ? 'DateTime({ timezone: true })' : 'DateTime()')
      case 'time': return use('Time')
      case 'json': return use('JSON', 'JSON()')
      case 'uuid': return use('UUID')
      case 'binary': return use('LargeBinary')
      case 'enum':
        return use('Enum', `Enum([${(o.values ?? []).map(CodeWriter.quote).join(', ')}] as const${o.enumName === undefined ? '' : `, { name: ${CodeWriter.quote(o.enumName)} }`})`)
      default:
        return use('NativeType', `NativeType<unknown>(${CodeWriter.quote(o.native ?? 'TEXT')})`)
    }
  }

  /** A value as code; `indent` is the indentation of the line it starts on. */
  value(v: unknown, indent = ''): string {
    if (v === undefined) return 'undefined'
    if (v === null) return 'null'
    if (typeof v === 'string') return CodeWriter.quote(v)
    if (typeof v === 'number' || typeof v === 'boolean') return String(v)
    if (v instanceof SqlType) return this.type(v)
    if (v instanceof ServerDefault) return (this.imports.add('sqlDefault'), `sqlDefault(${CodeWriter.quote(v.sql)})`)
    if (v instanceof ColumnSpec) return this.#spec(v)
    if (v instanceof ForeignKeyRef) return (this.imports.add('ForeignKey'), `ForeignKey(${CodeWriter.quote(v.target)}${this.#options({ onDelete: v.onDelete, onUpdate: v.onUpdate, name: v.name })})`)
    if (v instanceof UniqueConstraint) return this.#construct('UniqueConstraint', [v.columns], { name: v.name })
    if (v instanceof CheckConstraint) return this.#construct('CheckConstraint', [v.sql], { name: v.name })
    if (v instanceof Index) return this.#construct('Index', [v.name, v.columns], { unique: v.unique ? true : undefined })
    if (v instanceof PrimaryKeyConstraint) return this.#construct('PrimaryKeyConstraint', [v.columns], {})
    if (v instanceof ForeignKeyConstraint) return this.#construct('ForeignKeyConstraint', [v.columns, v.targets], { ...v.options })
    if (Array.isArray(v)) return `[${v.map((x) => this.value(x, indent)).join(', ')}]`
    if (typeof v === 'object') {
      const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined)
      if (entries.length === 0) return '{}'
      const key = (k: string): string => (/^[A-Za-z_$][\w$]*$/.test(k) ? k : CodeWriter.quote(k))
      const one = `{ ${entries.map(([k, x]) => `${key(k)}: ${this.value(x, indent)}`).join(', ')} }`
      if (one.length <= 100) return one
      const inner = indent + '  '
      return `{\n${entries.map(([k, x]) => `${inner}${key(k)}: ${this.value(x, inner)},`).join('\n')}\n${indent}}`
    }
    throw new Error(`cannot write ${String(v)} as code`)
  }

  #spec(spec: ColumnSpec<unknown>): string {
    this.imports.add('column')
    const o = spec.options
    const fk = spec.foreignKeys.map((f) => `, ${this.value(f)}`).join('')
    return `column(${this.type(spec.type)}${fk}${this.#options({
      name: o.name, primaryKey: o.primaryKey, autoincrement: o.autoincrement, nullable: o.nullable, unique: o.unique, index: o.index,
      serverDefault: o.serverDefault, check: o.check, comment: o.comment, computed: o.computed,
    })})`
  }

  #options(o: Readonly<Record<string, unknown>>): string {
    const set = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))
    return Object.keys(set).length === 0 ? '' : `, ${this.value(set)}`
  }

  #construct(name: string, args: readonly unknown[], options: Readonly<Record<string, unknown>>): string {
    this.imports.add(name)
    return `new ${name}(${args.map((a) => this.value(a)).join(', ')}${this.#options(options)})`
  }
}
