import { NullType } from '../types/index.js'
import type { SqlType } from '../types/index.js'
import { ArgumentError } from '../util/errors.js'
import { Bind } from './elements.js'
import type { Expression } from './elements.js'

/** What a bind parameter holds until execution gives it a value (never sent to a driver). */
export const PARAMETER_VALUE: unique symbol = Symbol('athanor.bindparam')

/**
 * A named bound parameter whose value is given when the statement runs, so that one statement
 * built once (and compiled once) serves every execution — SQLAlchemy's `bindparam()`. In the
 * SQL it is a placeholder like any bound value; its name only matters to `execute()`.
 */
export class BindParam<T = unknown> extends Bind<T> {
  readonly name: string
  constructor(name: string, type: SqlType<unknown>) {
    super(PARAMETER_VALUE, type)
    this.name = name
  }
  /** Without a type of its own, the parameter takes the type of what it is compared with or assigned to. */
  override asOperandOf(type: SqlType<unknown>): Bind {
    return this.type.kind === 'null' && type.kind !== 'null' ? new BindParam(this.name, type) : this
  }
}

/**
 * A named parameter whose value is passed at execution: build a statement once, run it with
 * new values (compiled once, and on PostgreSQL prepared once). Without a type it takes the type
 * of the column it is compared with or assigned to.
 * ```ts
 * const byEmail = select(User).where(User.c.email.eq(bindparam('email')))
 * const ann = (await session.scalars(byEmail, { email: 'ann@x.io' })).one()
 * await conn.execute(insert(users).values({ name: bindparam('name') }), { name: 'Bo' })
 * ```
 */
export function bindparam<T = unknown>(name: string, type?: SqlType<T>): Expression<T> {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new ArgumentError(`bindparam() takes a name of letters, digits and underscores (not starting with a digit), e.g. bindparam('user_id'); got ${JSON.stringify(name)}.`)
  }
  return new BindParam<T>(name, type ?? NullType)
}

/** Values for a statement's bind parameters, by name. */
export type BindParams = Readonly<Record<string, unknown>>

/**
 * The value `params` gives parameter `p`. A missing name is an error that lists what the
 * statement was given (a typo in a key otherwise reads as "no value").
 */
export function parameterValue(p: BindParam, params: BindParams | undefined): unknown {
  const v = params !== undefined && Object.hasOwn(params, p.name) ? params[p.name] : undefined
  if (v !== undefined) return v
  const given = params === undefined ? 'no parameters were given' : Object.keys(params).length === 0 ? 'an empty object was given' : `the values given were for ${Object.keys(params).join(', ')}`
  const fix = params !== undefined && Object.hasOwn(params, p.name) ? `pass null for SQL NULL, not undefined` : `pass { ${p.name}: … } with the statement: execute(stmt, values), scalars(stmt, values), scalar(stmt, values), stream(stmt, { params: values })`
  throw new ArgumentError(`The statement has a bind parameter '${p.name}' but ${given}: ${fix}.`)
}
