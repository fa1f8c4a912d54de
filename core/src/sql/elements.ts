import { Boolean as BooleanType, Float, JSON as JsonType, NullType, Numeric, Text, typeOfValue } from '../types/index.js'
import { NUMERIC_KINDS, arithmeticType } from '../types/arithmetic.js'
import type { SqlType } from '../types/index.js'
import { ArgumentError } from '../util/errors.js'
import { keepShape } from '../util/kept-shapes.js'
import { describeValue } from '../util/describe-value.js'
import { KeyBuilder, keyList } from './key.js'
import type { Keyed } from './key.js'

declare const valueType: unique symbol

/** A query that yields rows, usable as a subquery (a Select or a compound select). */
export interface SubqueryLike extends Keyed {
  readonly kind: 'select' | 'compound' | 'text'
}

/** A value or an expression of the same type, accepted by comparisons and arithmetic. */
export type Operand<T> = NonNullable<T> | Expression<NonNullable<T>> | Expression<NonNullable<T> | null>

type Nullable<T> = T | null

/**
 * The other side of arithmetic: any number or numeric expression (an exact decimal, a count, a
 * float), so `func.sum(price).div(func.count())` type-checks; the result keeps the left side's type.
 */
export type NumericOperand = number | bigint | string | Expression<number | bigint | string | null>

type OperandValue<R> = R extends Expression<infer V> ? V : R extends number ? number : R extends bigint ? bigint : R extends string ? string : never

/**
 * The JavaScript type of `left op right`, following the promotion `arithmeticType` applies to the
 * SQL types: an exact decimal (`string`) on either side wins, then `bigint`, else `number`; the
 * result may be null when either side may be.
 */
export type ArithmeticValue<L, R> =
  | (NonNullable<L> extends string ? string : NonNullable<R> extends string ? string : NonNullable<L> extends bigint ? bigint : NonNullable<R> extends bigint ? bigint : number)
  | (null extends L ? null : never)
  | (null extends R ? null : never)

/**
 * A SQL expression whose values are of type `T`. Nodes are immutable: every method returns a
 * new node.
 * ```ts
 * users.c.name.eq('Alice')            // "users"."name" = ?
 * users.c.grade.gt(90).and(users.c.name.startsWith('A'))
 * ```
 */
export abstract class Expression<T = unknown> implements Keyed {
  declare readonly [valueType]: T
  abstract readonly kind: string
  /** The type used to convert bound values and result values. */
  abstract readonly type: SqlType<unknown>
  abstract key(k: KeyBuilder): void

  /** `=`; comparing with `null` gives `IS NULL`. */
  eq(other: Operand<T> | null): Expression<boolean> {
    return other === null ? new Unary('IS NULL', this, true) : new Binary(this, '=', this.bind(other), BooleanType)
  }
  /** `<>`; comparing with `null` gives `IS NOT NULL`. */
  ne(other: Operand<T> | null): Expression<boolean> {
    return other === null ? new Unary('IS NOT NULL', this, true) : new Binary(this, '<>', this.bind(other), BooleanType)
  }
  lt(other: Operand<T>): Expression<boolean> {
    return new Binary(this, '<', this.bind(other), BooleanType)
  }
  le(other: Operand<T>): Expression<boolean> {
    return new Binary(this, '<=', this.bind(other), BooleanType)
  }
  gt(other: Operand<T>): Expression<boolean> {
    return new Binary(this, '>', this.bind(other), BooleanType)
  }
  ge(other: Operand<T>): Expression<boolean> {
    return new Binary(this, '>=', this.bind(other), BooleanType)
  }
  /** `IN (…)` over values or a subquery; an empty list is always false. */
  in(values: readonly Operand<T>[] | SubqueryLike): Expression<boolean> {
    return this.#inList(values, false, 'in()')
  }
  /** `NOT IN (…)`; an empty list is always true. */
  notIn(values: readonly Operand<T>[] | SubqueryLike): Expression<boolean> {
    return this.#inList(values, true, 'notIn()')
  }
  #inList(values: readonly Operand<T>[] | SubqueryLike, negate: boolean, where: string): Expression<boolean> {
    if (isSubquery(values)) return new InList(this, new ScalarSubquery(values), negate)
    if (!Array.isArray(values)) throw new ArgumentError(`${where} takes an array of values or a select(), not ${describeValue(values)}: write .in([1, 2, 3]).`)
    return new InList(this, values.map((v) => this.bind(v)), negate)
  }
  between(low: Operand<T>, high: Operand<T>): Expression<boolean> {
    return new Between(this, this.bind(low), this.bind(high), false)
  }
  isNull(): Expression<boolean> {
    return new Unary('IS NULL', this, true)
  }
  isNotNull(): Expression<boolean> {
    return new Unary('IS NOT NULL', this, true)
  }
  /** `LIKE pattern`: `%` and `_` in the pattern are wildcards. See `startsWith` for literal text. */
  like(this: Expression<Nullable<string>>, pattern: Operand<string>, options: { escape?: string } = {}): Expression<boolean> {
    return new Like(this, this.bind(pattern), 'LIKE', false, options.escape)
  }
  notLike(this: Expression<Nullable<string>>, pattern: Operand<string>, options: { escape?: string } = {}): Expression<boolean> {
    return new Like(this, this.bind(pattern), 'LIKE', true, options.escape)
  }
  /** Case-insensitive LIKE (dialects without ILIKE compare lower-cased values). */
  ilike(this: Expression<Nullable<string>>, pattern: Operand<string>, options: { escape?: string } = {}): Expression<boolean> {
    return new Like(this, this.bind(pattern), 'ILIKE', false, options.escape)
  }
  /** Starts with the literal text `prefix`: wildcards in it are escaped. */
  startsWith(this: Expression<Nullable<string>>, prefix: string, options: { caseInsensitive?: boolean } = {}): Expression<boolean> {
    return new Like(this, new Bind(escapeLike(prefix) + '%', Text), options.caseInsensitive ? 'ILIKE' : 'LIKE', false, '\\')
  }
  /** Ends with the literal text `suffix`: wildcards in it are escaped. */
  endsWith(this: Expression<Nullable<string>>, suffix: string, options: { caseInsensitive?: boolean } = {}): Expression<boolean> {
    return new Like(this, new Bind('%' + escapeLike(suffix), Text), options.caseInsensitive ? 'ILIKE' : 'LIKE', false, '\\')
  }
  /** Contains the literal text `part`: wildcards in it are escaped. */
  contains(this: Expression<Nullable<string>>, part: string, options: { caseInsensitive?: boolean } = {}): Expression<boolean> {
    return new Like(this, new Bind('%' + escapeLike(part) + '%', Text), options.caseInsensitive ? 'ILIKE' : 'LIKE', false, '\\')
  }
  /** `a || b` string concatenation (CONCAT on dialects without `||`). */
  concat(this: Expression<Nullable<string>>, other: Operand<string>): Expression<string> {
    return new Binary(this, '||', this.bind(other), Text)
  }
  add<L extends Nullable<number | bigint | string>, R extends NumericOperand>(this: Expression<L>, other: R): Expression<ArithmeticValue<L, OperandValue<R>>> {
    return arithmetic(this, '+', other)
  }
  sub<L extends Nullable<number | bigint | string>, R extends NumericOperand>(this: Expression<L>, other: R): Expression<ArithmeticValue<L, OperandValue<R>>> {
    return arithmetic(this, '-', other)
  }
  mul<L extends Nullable<number | bigint | string>, R extends NumericOperand>(this: Expression<L>, other: R): Expression<ArithmeticValue<L, OperandValue<R>>> {
    return arithmetic(this, '*', other)
  }
  div<L extends Nullable<number | bigint | string>, R extends NumericOperand>(this: Expression<L>, other: R): Expression<ArithmeticValue<L, OperandValue<R>>> {
    return arithmetic(this, '/', other)
  }
  mod<L extends Nullable<number | bigint>, R extends NumericOperand>(this: Expression<L>, other: R): Expression<ArithmeticValue<L, OperandValue<R>>> {
    return arithmetic(this, '%', other)
  }
  neg(this: Expression<Nullable<number | bigint | string>>): Expression<T> {
    return new Unary('-', this, false, this.type)
  }
  /** `this AND other` */
  and(...others: Expression<Nullable<boolean>>[]): Expression<boolean> {
    return and(this as Expression<boolean>, ...others)
  }
  /** `this OR other` */
  or(...others: Expression<Nullable<boolean>>[]): Expression<boolean> {
    return or(this as Expression<boolean>, ...others)
  }
  not(): Expression<boolean> {
    return not(this as Expression<boolean>)
  }
  asc(options: { nulls?: 'first' | 'last' } = {}): OrderBy {
    return new OrderBy(this, 'ASC', options.nulls)
  }
  desc(options: { nulls?: 'first' | 'last' } = {}): OrderBy {
    return new OrderBy(this, 'DESC', options.nulls)
  }
  /** `expr AS name`; the name also keys the value in `mappings()`. */
  label<N extends string>(name: N): Label<T, N> {
    if (typeof name !== 'string' || name === '') throw new ArgumentError(`label() takes a non-empty name, not ${describeValue(name)}.`)
    return new Label(this, name)
  }
  /** `CAST(expr AS type)`. */
  cast<U>(type: SqlType<U>): Expression<U> {
    return new Cast(this, type)
  }
  /**
   * The JSON value at a path in a JSON column (keys and array indexes), as JSON; NULL where the
   * path leads nowhere. PostgreSQL `#>`, MySQL `JSON_EXTRACT`, SQLite `->`.
   * ```ts
   * select(events.c.payload.json('user', 'tags', 0))
   * ```
   */
  json(...path: readonly (string | number)[]): Expression<unknown> {
    return new JsonPath(this, path, false)
  }
  /** The value at a path as text (`'42'`, `'true'`, a string unquoted); NULL for JSON null or a missing path. */
  jsonText(...path: readonly (string | number)[]): Expression<string | null> {
    return new JsonPath(this, path, true) as Expression<string | null>
  }

  /** Turns a plain value into a bound parameter typed like this expression. */
  protected bind(value: unknown): Expression<unknown> {
    if (value instanceof Bind) return value.asOperandOf(this.type)
    return value instanceof Expression ? value : new Bind(value, this.type.kind === 'null' ? typeOfValue(value) : this.type)
  }
}

/**
 * `left op other` typed by SQL's promotion (`arithmeticType`). A plain operand binds as the left
 * side's type unless its own value says otherwise: a fraction binds as Float, a decimal string
 * as Numeric, so `qty.mul(1.5)` is a float product rather than a failed Integer bind.
 */
function arithmetic<V>(left: Expression<unknown>, op: '+' | '-' | '*' | '/' | '%', other: unknown): Expression<V> {
  const right = other instanceof Bind ? other.asOperandOf(left.type) : other instanceof Expression ? other : new Bind(other, operandType(left.type, other))
  return new Binary<V>(left, op, right, arithmeticType(left.type, right.type, op))
}

function operandType(left: SqlType<unknown>, value: unknown): SqlType<unknown> {
  if (left.kind === 'null') return typeOfValue(value)
  if (typeof value === 'string' && left.kind !== 'numeric' && NUMERIC_KINDS.has(left.kind)) return Numeric()
  if (typeof value === 'number' && !Number.isInteger(value) && (left.kind === 'integer' || left.kind === 'smallint')) return Float
  return left
}

function isSubquery(v: unknown): v is SubqueryLike {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'kind' in v && ((v as SubqueryLike).kind === 'select' || (v as SubqueryLike).kind === 'compound')
}

/**
 * `value` when it is an expression; otherwise an ArgumentError that names the call, the value and
 * the fix. Plain values are bound only where a method says so (comparisons, func arguments):
 * elsewhere a string would be SQL text from who knows where, and a number a constant that wants
 * literal().
 */
export function expectExpression(value: unknown, where: string): Expression<unknown> {
  if (value instanceof Expression) return value
  const hint = typeof value === 'string'
    ? ' A string is never taken as SQL: write the condition with columns (users.c.name.eq(x)), or text() for raw SQL.'
    : value !== null && typeof value !== 'object' ? ` For a constant, write literal(${typeof value === 'bigint' ? `${value}n` : String(value)}).` : ''
  throw new ArgumentError(`${where} takes an expression (a column such as users.c.id, func.count(), literal(1)), not ${describeValue(value)}.${hint}`)
}

/** Escapes LIKE wildcards with backslash so the text matches literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => '\\' + c)
}

/** A bound parameter: the only way a value reaches SQL. */
export class Bind<T = unknown> extends Expression<T> {
  readonly kind = 'bind'
  readonly value: unknown
  readonly type: SqlType<unknown>
  /** True when the value was already validated against `type` (INSERT/UPDATE assignments). */
  readonly checked: boolean
  constructor(value: unknown, type: SqlType<unknown>, checked = false) {
    super()
    if (value === undefined) throw new ArgumentError('undefined cannot be bound as a SQL value: pass null for SQL NULL.')
    this.value = value
    this.type = type
    this.checked = checked
  }
  key(k: KeyBuilder): void {
    k.s += '?' + this.type.cacheKey
    k.binds.push(this)
  }
  /**
   * This bind as the operand of an expression of `type` (a comparison, an assignment). A value
   * is already bound as what it is; a bind parameter without a type takes the operand's
   * (bind-param.ts).
   */
  asOperandOf(_type: SqlType<unknown>): Bind {
    return this
  }
}

/**
 * A bound value with an explicit type.
 * ```ts
 * select(literal(1).label('one'))
 * ```
 */
export function literal<T>(value: T): Expression<T>
/** With a type, the expression takes the type's value type: `literal(7, Integer)` is `Expression<number>`. */
export function literal<T>(value: NoInfer<T>, type: SqlType<T>): Expression<T>
export function literal<T>(value: null, type: SqlType<T>): Expression<T | null>
export function literal(value: unknown, type?: SqlType<unknown>): Expression<unknown> {
  return new Bind(value, type ?? typeOfValue(value))
}

/** The SQL keyword NULL, or TRUE/FALSE (rendered by the dialect). */
export class Keyword<T = unknown> extends Expression<T> {
  readonly kind = 'keyword'
  readonly word: 'NULL' | 'TRUE' | 'FALSE' | 'CURRENT_TIMESTAMP' | '*'
  readonly type: SqlType<unknown>
  constructor(word: Keyword['word'], type: SqlType<unknown> = NullType) {
    super()
    this.word = word
    this.type = type
  }
  key(k: KeyBuilder): void {
    k.s += 'k' + this.word
  }
}

/** SQL NULL as an expression. */
export function nullValue(): Expression<null> {
  return new Keyword<null>('NULL')
}
/** TRUE / FALSE literals. */
export function trueValue(): Expression<boolean> {
  return new Keyword<boolean>('TRUE', BooleanType)
}
export function falseValue(): Expression<boolean> {
  return new Keyword<boolean>('FALSE', BooleanType)
}

export type BinaryOp = '=' | '<>' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%' | '||'

export class Binary<T = unknown> extends Expression<T> {
  readonly kind = 'binary'
  readonly left: Expression<unknown>
  readonly op: BinaryOp
  readonly right: Expression<unknown>
  readonly type: SqlType<unknown>
  constructor(left: Expression<unknown>, op: BinaryOp, right: Expression<unknown>, type: SqlType<unknown>) {
    super()
    this.left = left
    this.op = op
    this.right = right
    this.type = type
  }
  key(k: KeyBuilder): void {
    k.s += '('
    this.left.key(k)
    k.s += this.op
    this.right.key(k)
    k.s += ')'
  }
}

export type UnaryOp = 'NOT' | '-' | 'IS NULL' | 'IS NOT NULL' | 'EXISTS' | 'NOT EXISTS' | 'DISTINCT'

export class Unary<T = unknown> extends Expression<T> {
  readonly kind = 'unary'
  readonly op: UnaryOp
  readonly operand: Expression<unknown>
  readonly postfix: boolean
  readonly type: SqlType<unknown>
  constructor(op: UnaryOp, operand: Expression<unknown>, postfix: boolean, type: SqlType<unknown> = BooleanType) {
    super()
    this.op = op
    this.operand = operand
    this.postfix = postfix
    this.type = type
  }
  key(k: KeyBuilder): void {
    k.s += 'u' + this.op + '('
    this.operand.key(k)
    k.s += ')'
  }
}

/** `a AND b AND …` / `a OR b OR …`. */
export class BooleanList extends Expression<boolean> {
  readonly kind = 'boolean-list'
  readonly op: 'AND' | 'OR'
  readonly items: readonly Expression<unknown>[]
  readonly type = BooleanType
  constructor(op: 'AND' | 'OR', items: readonly Expression<unknown>[]) {
    super()
    this.op = op
    this.items = items
  }
  key(k: KeyBuilder): void {
    k.s += this.op
    keyList(k, this.items)
  }
}

function flatten(op: 'AND' | 'OR', items: readonly (Expression<unknown> | undefined)[]): Expression<unknown>[] {
  const out: Expression<unknown>[] = []
  for (const item of items) {
    if (item === undefined) continue
    expectExpression(item, op === 'AND' ? 'and()' : 'or()')
    if (item instanceof BooleanList && item.op === op) out.push(...item.items)
    else out.push(item)
  }
  return out
}

/**
 * Conjunction; `undefined` items are skipped so optional filters compose, and no items at all
 * is TRUE.
 * ```ts
 * where(and(users.c.active.eq(true), name ? users.c.name.eq(name) : undefined))
 * ```
 */
export function and(...items: (Expression<Nullable<boolean>> | undefined)[]): Expression<boolean> {
  const flat = flatten('AND', items)
  if (flat.length === 0) return trueValue()
  return flat.length === 1 ? (flat[0] as Expression<boolean>) : new BooleanList('AND', flat)
}

/** Disjunction; no items at all is FALSE. */
export function or(...items: (Expression<Nullable<boolean>> | undefined)[]): Expression<boolean> {
  const flat = flatten('OR', items)
  if (flat.length === 0) return falseValue()
  return flat.length === 1 ? (flat[0] as Expression<boolean>) : new BooleanList('OR', flat)
}

/** `NOT expr`. */
export function not(item: Expression<Nullable<boolean>>): Expression<boolean> {
  return new Unary('NOT', expectExpression(item, 'not()'), false)
}

export class InList extends Expression<boolean> {
  readonly kind = 'in'
  readonly operand: Expression<unknown>
  readonly values: readonly Expression<unknown>[] | ScalarSubquery<unknown>
  readonly negate: boolean
  readonly type = BooleanType
  constructor(operand: Expression<unknown>, values: readonly Expression<unknown>[] | ScalarSubquery<unknown>, negate: boolean) {
    super()
    this.operand = operand
    this.values = values
    this.negate = negate
  }
  key(k: KeyBuilder): void {
    k.s += this.negate ? 'notin(' : 'in('
    this.operand.key(k)
    if (this.values instanceof ScalarSubquery) this.values.key(k)
    else keyList(k, this.values)
    k.s += ')'
  }
}

export class Between extends Expression<boolean> {
  readonly kind = 'between'
  readonly operand: Expression<unknown>
  readonly low: Expression<unknown>
  readonly high: Expression<unknown>
  readonly negate: boolean
  readonly type = BooleanType
  constructor(operand: Expression<unknown>, low: Expression<unknown>, high: Expression<unknown>, negate: boolean) {
    super()
    this.operand = operand
    this.low = low
    this.high = high
    this.negate = negate
  }
  key(k: KeyBuilder): void {
    k.s += this.negate ? 'nbtw(' : 'btw('
    keyList(k, [this.operand, this.low, this.high])
    k.s += ')'
  }
}

export class Like extends Expression<boolean> {
  readonly kind = 'like'
  readonly operand: Expression<unknown>
  readonly pattern: Expression<unknown>
  readonly op: 'LIKE' | 'ILIKE'
  readonly negate: boolean
  readonly escape: string | undefined
  readonly type = BooleanType
  constructor(operand: Expression<unknown>, pattern: Expression<unknown>, op: 'LIKE' | 'ILIKE', negate: boolean, escape: string | undefined) {
    super()
    if (escape !== undefined && escape.length !== 1) throw new ArgumentError(`A LIKE escape must be one character, not '${escape}'.`)
    this.operand = operand
    this.pattern = pattern
    this.op = op
    this.negate = negate
    this.escape = escape
  }
  key(k: KeyBuilder): void {
    k.s += `${this.negate ? 'n' : ''}${this.op}${this.escape ?? ''}(`
    keyList(k, [this.operand, this.pattern])
    k.s += ')'
  }
}

/** A tuple of expressions, for composite comparisons: `tuple(a, b).in([[1, 2], [3, 4]])`. */
export class Tuple extends Expression<unknown[]> {
  readonly kind = 'tuple'
  readonly items: readonly Expression<unknown>[]
  readonly type = NullType
  constructor(items: readonly Expression<unknown>[]) {
    super()
    this.items = items
  }
  key(k: KeyBuilder): void {
    k.s += 'tup'
    keyList(k, this.items)
  }
  /** Composite IN: each value is an array with one element per tuple item. */
  inValues(rows: readonly (readonly unknown[])[]): Expression<boolean> {
    return new InList(this, rows.map((r) => new Tuple(this.items.map((item, i) => (r[i] instanceof Expression ? (r[i] as Expression<unknown>) : new Bind(r[i], item.type))))), false)
  }
}

/** `(a, b, …)` as one expression. */
export function tuple(...items: Expression<unknown>[]): Tuple {
  return new Tuple(items.map((item, i) => expectExpression(item, `tuple() item ${i + 1}`)))
}

export class Cast<T = unknown> extends Expression<T> {
  readonly kind = 'cast'
  readonly operand: Expression<unknown>
  readonly type: SqlType<unknown>
  constructor(operand: Expression<unknown>, type: SqlType<unknown>) {
    super()
    this.operand = operand
    this.type = type
  }
  key(k: KeyBuilder): void {
    k.s += 'cast<' + this.type.description + '>('
    this.operand.key(k)
    k.s += ')'
  }
}

/** `CAST(expr AS type)`. */
export function cast<T>(expr: Expression<unknown>, type: SqlType<T>): Expression<T> {
  return new Cast<T>(expectExpression(expr, 'cast()'), type)
}

/**
 * `CASE WHEN cond THEN result … ELSE otherwise END`, or with a `subject`,
 * `CASE subject WHEN value THEN result … END` (each `whens` pair then starts with a value the
 * subject is compared with; MariaDB looks constant values up instead of testing them in turn).
 */
export class Case<T = unknown> extends Expression<T> {
  readonly kind = 'case'
  readonly whens: readonly (readonly [Expression<unknown>, Expression<unknown>])[]
  readonly otherwise: Expression<unknown> | undefined
  readonly type: SqlType<unknown>
  readonly subject: Expression<unknown> | undefined
  constructor(whens: readonly (readonly [Expression<unknown>, Expression<unknown>])[], otherwise: Expression<unknown> | undefined, type: SqlType<unknown>, subject?: Expression<unknown>) {
    super()
    if (whens.length === 0) throw new ArgumentError('case() needs at least one [condition, result] pair.')
    this.whens = whens
    this.otherwise = otherwise
    this.type = type
    this.subject = subject
  }
  key(k: KeyBuilder): void {
    k.s += 'case'
    if (this.subject) (k.s += '<', this.subject.key(k), (k.s += '>'))
    k.s += '['
    for (const [c, r] of this.whens) {
      c.key(k)
      k.s += '=>'
      r.key(k)
      k.s += ';'
    }
    if (this.otherwise) this.otherwise.key(k)
    k.s += ']'
  }
}

/**
 * `CASE WHEN … THEN … ELSE … END`; plain values become bound parameters.
 * ```ts
 * caseWhen([[s.c.grade.ge(90), 'A'], [s.c.grade.ge(80), 'B']], 'C')
 * ```
 */
export function caseWhen<T>(whens: readonly (readonly [Expression<Nullable<boolean>>, T | Expression<T>])[], otherwise?: T | Expression<T>): Expression<T> {
  const toExpr = (v: unknown): Expression<unknown> => (v instanceof Expression ? v : new Bind(v, typeOfValue(v)))
  if (!Array.isArray(whens)) throw new ArgumentError(`caseWhen() takes an array of [condition, result] pairs, not ${describeValue(whens)}: caseWhen([[t.c.x.gt(1), 'big']], 'small').`)
  const pairs = whens.map((pair, i) => {
    if (!Array.isArray(pair) || pair.length !== 2) throw new ArgumentError(`caseWhen() pair ${i + 1} must be [condition, result], not ${describeValue(pair)}.`)
    return [expectExpression(pair[0], `caseWhen() condition ${i + 1}`), toExpr(pair[1])] as const
  })
  const first = pairs[0]?.[1]
  return new Case<T>(pairs, otherwise === undefined ? undefined : toExpr(otherwise), first?.type ?? NullType)
}

/** `expr AS name`. */
export class Label<T = unknown, N extends string = string> extends Expression<T> {
  readonly kind = 'label'
  readonly operand: Expression<unknown>
  readonly name: N
  readonly type: SqlType<unknown>
  constructor(operand: Expression<unknown>, name: N) {
    super()
    this.operand = operand
    this.name = name
    this.type = operand.type
  }
  key(k: KeyBuilder): void {
    k.s += 'lbl' + JSON.stringify(this.name) + '('
    this.operand.key(k)
    k.s += ')'
  }
}

/** An ORDER BY item. */
export class OrderBy implements Keyed {
  readonly kind = 'order-by'
  readonly operand: Expression<unknown>
  readonly direction: 'ASC' | 'DESC'
  readonly nulls: 'first' | 'last' | undefined
  constructor(operand: Expression<unknown>, direction: 'ASC' | 'DESC', nulls: 'first' | 'last' | undefined) {
    this.operand = operand
    this.direction = direction
    this.nulls = nulls
  }
  key(k: KeyBuilder): void {
    this.operand.key(k)
    k.s += this.direction + (this.nulls ?? '')
  }
}

/** `ORDER BY expr ASC`. */
export function asc(expr: Expression<unknown>, options?: { nulls?: 'first' | 'last' }): OrderBy {
  return expr.asc(options)
}
/** `ORDER BY expr DESC`. */
export function desc(expr: Expression<unknown>, options?: { nulls?: 'first' | 'last' }): OrderBy {
  return expr.desc(options)
}

/** A subquery used as a value: `(SELECT …)`. */
export class ScalarSubquery<T = unknown> extends Expression<T> {
  readonly kind = 'scalar-subquery'
  readonly query: SubqueryLike
  readonly type: SqlType<unknown>
  constructor(query: SubqueryLike, type: SqlType<unknown> = NullType) {
    super()
    this.query = query
    this.type = type
  }
  key(k: KeyBuilder): void {
    k.s += 'sq('
    this.query.key(k)
    k.s += ')'
  }
}

/** `EXISTS (subquery)`. */
export function exists(query: SubqueryLike): Expression<boolean> {
  if (!isSubquery(query)) throw new ArgumentError(`exists() takes a select(), not ${describeValue(query)}: exists(select(literal(1)).from(posts).where(…)).`)
  return new Unary('EXISTS', new ScalarSubquery(query), false)
}


const JSON_VALUE = JsonType<unknown>()

/** A path into a JSON value: `doc.json('a', 0)`; each dialect renders its own operator. */
export class JsonPath extends Expression<unknown> {
  readonly kind = 'json-path'
  readonly operand: Expression<unknown>
  readonly path: readonly (string | number)[]
  /** The value as text (`#>>`, `JSON_UNQUOTE`) rather than as JSON. */
  readonly asText: boolean
  readonly type: SqlType<unknown>
  constructor(operand: Expression<unknown>, path: readonly (string | number)[], asText: boolean) {
    super()
    if (path.length === 0) throw new ArgumentError(`${asText ? 'jsonText' : 'json'}() needs a path: json('key', 0, 'nested').`)
    for (const p of path) {
      if (typeof p === 'string' ? p.includes('\u0000') : !(Number.isSafeInteger(p) && p >= 0)) {
        throw new ArgumentError(`A JSON path step is an object key (a string) or an array index (a whole number ≥ 0), not ${describeValue(p)}.`)
      }
    }
    this.operand = operand
    this.path = path
    this.asText = asText
    this.type = asText ? Text : JSON_VALUE
  }
  key(k: KeyBuilder): void {
    // The path is bound, so only its shape (key or index per step) is structure.
    k.s += `jp${this.asText ? 't' : ''}(`
    this.operand.key(k)
    k.s += ':' + this.path.map((p) => (typeof p === 'number' ? 'i' : 's')).join('')
    // Dialects bind the path either step by step or as one string: both are collected.
    for (const b of this.pathBinds) k.binds.push(b)
    k.binds.push(this.pathText)
    k.s += ')'
  }
  #binds: readonly Bind[] | undefined
  /** One parameter per step (dialects that want the path as one string use `pathText`). */
  get pathBinds(): readonly Bind[] {
    return (this.#binds ??= this.path.map((p) => new Bind(String(p), Text)))
  }
  /** The path in the `$."key"[0]` syntax of MySQL and SQLite, bound as one parameter. */
  get pathText(): Bind {
    return (this.#pathText ??= new Bind('$' + this.path.map((p) => (typeof p === 'number' ? `[${p}]` : `."${p.replace(/[\\"]/g, (c) => '\\' + c)}"`)).join(''), Text))
  }
  #pathText: Bind | undefined
  mapChildren(visit: (node: Keyed) => Keyed): JsonPath {
    const o = visit(this.operand) as Expression<unknown>
    return o === this.operand ? this : new JsonPath(o, this.path, this.asText)
  }
}

/**
 * An expression built when it is first keyed or compiled, not when it is written: ORM
 * relationship criteria (`Author.posts.any()`) are written before their classes are configured.
 */
export class Deferred<T = unknown> extends Expression<T> {
  readonly kind = 'deferred'
  readonly #type: SqlType<unknown> | undefined
  readonly #build: () => Expression<T>
  #built: Expression<T> | undefined
  /** Without `type`, the built expression's type (building it on first use). */
  constructor(build: () => Expression<T>, type?: SqlType<unknown>) {
    super()
    this.#build = build
    this.#type = type
  }
  get type(): SqlType<unknown> {
    return this.#type ?? this.resolved.type
  }
  /** The expression this stands for (built once). */
  get resolved(): Expression<T> {
    return (this.#built ??= this.#build())
  }
  key(k: KeyBuilder): void {
    this.resolved.key(k)
  }
  mapChildren(visit: (node: Keyed) => Keyed): Keyed {
    return visit(this.resolved)
  }
}

// The nodes most queries build anew keep their shapes between requests (util/kept-shapes.ts).
{
  const b = keepShape(new Bind(0, NullType, true))
  keepShape(new Binary(b, '=', b, BooleanType))
  keepShape(new Unary('IS NULL', b, true))
  keepShape(new BooleanList('AND', [b, b]))
  keepShape(new InList(b, [b], false))
  keepShape(new Like(b, b, 'LIKE', false, undefined))
  keepShape(new OrderBy(b, 'ASC', undefined))
}
