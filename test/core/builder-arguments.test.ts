/**
 * Every public builder checks what it is given: a plain value where a clause is expected is an
 * ArgumentError that names the call, the value and the fix — never a TypeError from inside the
 * compiler, and never SQL text taken from a string.
 */
import { expect } from 'chai'
import { ArgumentError, Integer, alias, and, caseWhen, cast, dialectForUrl, exists, func, not, or, select, tuple, union } from '@athanor/core'
import { compileOn, users } from './compile-helpers.js'

const bad: readonly (readonly [string, () => unknown, RegExp])[] = [
  ['select(1)', () => select(1 as never), /select\(\) takes columns.*not the number 1\. For a constant, write literal\(1\)/],
  ["select('name')", () => select('name' as never), /select\(\) takes columns.*not the string "name"/],
  ['select(null)', () => select(null as never), /select\(\) takes columns.*not null/],
  ['select({})', () => select({} as never), /select\(\) takes columns.*not an object \(Object\)/],
  ['where(1)', () => select(users.c.id).where(1 as never), /where\(\) takes an expression.*not the number 1/],
  ["where('a = 1')", () => select(users.c.id).where('a = 1' as never), /where\(\) takes an expression.*A string is never taken as SQL/],
  ['groupBy(1)', () => select(users.c.id).groupBy(1 as never), /groupBy\(\) takes an expression/],
  ['having(true)', () => select(users.c.id).having(true as never), /having\(\) takes an expression.*not the boolean true/],
  ["join(t, 'on')", () => select(users.c.id).join(users, 'x' as never), /join\(\) condition takes an expression/],
  ['join(1)', () => select(users.c.id).join(1 as never), /join\(\) takes a table.*not the number 1/],
  ['from(1)', () => select(users.c.id).from(1 as never), /from\(\) takes a table.*not the number 1/],
  ['and(1)', () => and(1 as never), /and\(\) takes an expression/],
  ["or('x')", () => or('x' as never), /or\(\) takes an expression/],
  ['not(1)', () => not(1 as never), /not\(\) takes an expression/],
  ['in(5)', () => users.c.id.in(5 as never), /in\(\) takes an array of values or a select\(\), not the number 5/],
  ['caseWhen(1)', () => caseWhen(1 as never), /caseWhen\(\) takes an array of \[condition, result\] pairs/],
  ['caseWhen([[true, 1]])', () => caseWhen([[true as never, 1]]), /caseWhen\(\) condition 1 takes an expression/],
  ['exists(1)', () => exists(1 as never), /exists\(\) takes a select\(\)/],
  ['union(q, 1)', () => union(select(users.c.id), 1 as never), /union\(\) member 2 must be a select\(\)/],
  ['orderBy(null)', () => select(users.c.id).orderBy(null as never), /orderBy\(\) takes columns or expressions.*not null/],
  ['tuple(1)', () => tuple(1 as never), /tuple\(\) item 1 takes an expression/],
  ['cast(1, Integer)', () => cast(1 as never, Integer), /cast\(\) takes an expression/],
  ['label(1)', () => users.c.id.label(1 as never), /label\(\) takes a non-empty name/],
  ["limit('5')", () => select(users.c.id).limit('5' as never), /limit\(\) takes a whole number ≥ 0, not the string "5"/],
  ['func.foo({})', () => func['foo']!({} as never), /func\.foo\(\) argument 1 takes an expression/],
  ['func.sum({})', () => func.sum({} as never), /func\.sum\(\) takes an expression/],
  ['users.c.nam', () => (users.c as unknown as Record<string, { eq(v: number): unknown }>).nam!.eq(1), /Table 'users' has no column 'nam'; its columns are id, /],
  ['subquery .c.missing', () => (select(users.c.id).subquery('sq').c as Record<string, unknown>).missing, /'sq' has no column 'missing'; its columns are id\./],
  ['alias .c.missing', () => (alias(users, 'u2').c as Record<string, unknown>).missing, /The alias 'u2' has no column 'missing'/],
  ['an unknown scheme', () => dialectForUrl('oracle://u@h/db'), /No Athanor package provides 'oracle:\/\/'/],
  ['a URL without a scheme', () => dialectForUrl('localhost:5432/db'), /'localhost:5432\/db' is not a database URL: it has no scheme\. .*e\.g\. postgres:\/\/localhost:5432\/db/],
  ['a URL without a scheme, password hidden', () => dialectForUrl('app:secret@db.example/prod'), /'app:\*\*\*@db\.example\/prod' is not a database URL/],
]

describe('builders refuse what they cannot use, naming it', () => {
  for (const [name, build, message] of bad) {
    it(name, () => {
      expect(build).to.throw(ArgumentError, message)
    })
  }
  it('binds plain values where a function takes a value', () => {
    expect(compileOn('postgres', select(func.sum(2 as never), func.lower('X'), func.coalesce(users.c.age, 0)))).to.deep.equal(['SELECT sum($1::float8), lower($2), coalesce("users"."age", $3) FROM "users"', [2, 'X', 0]])
  })
})
