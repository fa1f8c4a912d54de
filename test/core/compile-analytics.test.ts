/**
 * The SQL of the reporting constructs on every dialect: windows (inline and named, frames),
 * window functions, filtered aggregates (FILTER or its CASE emulation), date parts and
 * truncation, JSON paths, string aggregation, DISTINCT ON, ROLLUP, LATERAL, CTE column lists,
 * inline literals and literal columns — and the errors that name a missing capability.
 */
import { expect } from 'chai'
import {
  CompileError, DateTime, DateType, Integer, JSON as Json, MetaData, String, Table, column, dateTrunc, extract, func, inline, literalColumn,
  namedWindow, rollup, select, trueValue,
} from '@athanor/core'
import { compileOn, expectSql } from './compile-helpers.js'

const md = new MetaData()
const sales = new Table('sales', md, {
  id: column(Integer, { primaryKey: true }),
  region: column(String(10)),
  amount: column(Integer),
  day: column(DateType),
  at: column(DateTime()),
  doc: column(Json<unknown>()),
})
const s = sales.c
const F = ' FROM "sales"'
const refused = { ansi: null, libsql: null, mysql: null } as const

describe('compile: windows', () => {
  it('renders OVER with PARTITION BY, ORDER BY and ROWS frames', () => {
    expectSql(select(s.id, func.rank().over({ partitionBy: s.region, orderBy: s.amount.desc() }), func.sum(s.amount).over({ orderBy: s.day, rows: [null, 0] }), func.count().over({ partitionBy: [s.region, s.day], range: [-1, 1] })),
      'SELECT "sales"."id", rank() OVER (PARTITION BY "sales"."region" ORDER BY "sales"."amount" DESC), sum("sales"."amount") OVER (ORDER BY "sales"."day" ASC ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW), ' +
      'count(*) OVER (PARTITION BY "sales"."region", "sales"."day" RANGE BETWEEN 1 PRECEDING AND 1 FOLLOWING)' + F, [])
    expectSql(select(func.rowNumber().over()), 'SELECT row_number() OVER ()', [])
  })
  it('declares a named window once for every function that uses it', () => {
    const w = namedWindow('w', { partitionBy: s.region, orderBy: s.amount.desc() })
    expectSql(select(func.rowNumber().over(w), func.ntile(4).over(w), func.firstValue(s.amount).over(w)),
      'SELECT row_number() OVER "w", ntile(4) OVER "w", first_value("sales"."amount") OVER "w"' + F + ' WINDOW "w" AS (PARTITION BY "sales"."region" ORDER BY "sales"."amount" DESC)', [])
  })
  it('writes lag/lead offsets as literals; a fallback is a literal too, by position on MySQL/MariaDB (no third argument there)', () => {
    expectSql(select(func.lag(s.amount).over({ orderBy: s.id }), func.lead(s.amount, 2).over({ orderBy: s.id })),
      'SELECT lag("sales"."amount", 1) OVER (ORDER BY "sales"."id" ASC), lead("sales"."amount", 2) OVER (ORDER BY "sales"."id" ASC)' + F, [])
    expectSql(select(func.lag(s.amount, 1, 0).over({ partitionBy: s.region, orderBy: s.id })),
      'SELECT lag("sales"."amount", 1, 0) OVER (PARTITION BY "sales"."region" ORDER BY "sales"."id" ASC)' + F, [], {
        mysql: 'SELECT CASE WHEN row_number() OVER (PARTITION BY `sales`.`region` ORDER BY `sales`.`id` ASC) <= 1 THEN 0 ELSE lag(`sales`.`amount`, 1) OVER (PARTITION BY `sales`.`region` ORDER BY `sales`.`id` ASC) END FROM `sales`',
      })
  })
  it('refuses a window function without a window, and malformed frames, saying how', () => {
    expect(() => compileOn('postgres', select(func.rank()).from(sales))).to.throw(CompileError, /rank\(\) is a window function: give it a window, e\.g\. func\.rank\(\)\.over/)
    expect(() => func.sum(s.amount).over({ rows: [1, -1] })).to.throw(/ends before it starts/)
    expect(() => func.sum(s.amount).over({ rows: [null, 0], range: [null, 0] })).to.throw(/rows or range, not both/)
    expect(() => func.ntile(0)).to.throw(/whole number ≥ 1/)
  })
})

describe('compile: filtered aggregates', () => {
  it('uses FILTER where the database has it, and the CASE emulation elsewhere', () => {
    expectSql(select(func.count().filter(s.amount.gt(10)), func.sum(s.amount).filter(s.region.eq('n')), func.count(s.region, { distinct: true }).filter(s.amount.gt(1))),
      'SELECT count(*) FILTER (WHERE "sales"."amount" > ?), sum("sales"."amount") FILTER (WHERE "sales"."region" = ?), count(DISTINCT "sales"."region") FILTER (WHERE "sales"."amount" > ?)' + F, [10, 'n', 1], {
        mysql: 'SELECT count(CASE WHEN `sales`.`amount` > ? THEN 1 END), sum(CASE WHEN `sales`.`region` = ? THEN `sales`.`amount` END), count(DISTINCT CASE WHEN `sales`.`amount` > ? THEN `sales`.`region` END) FROM `sales`',
      })
  })
})

describe('compile: dates', () => {
  it('reads date parts per dialect (PostgreSQL casts EXTRACT’s numeric, SQLite uses strftime)', () => {
    expectSql(select(extract('year', s.day), extract('dow', s.at), extract('week', s.at), extract('second', s.at), extract('epoch', s.at)),
      'SELECT EXTRACT(YEAR FROM "sales"."day"), EXTRACT(DOW FROM "sales"."at"), EXTRACT(WEEK FROM "sales"."at"), FLOOR(EXTRACT(SECOND FROM "sales"."at")), EXTRACT(EPOCH FROM "sales"."at")' + F, [], {
        postgres: 'SELECT CAST(EXTRACT(YEAR FROM "sales"."day") AS INTEGER), CAST(EXTRACT(DOW FROM "sales"."at") AS INTEGER), CAST(EXTRACT(WEEK FROM "sales"."at") AS INTEGER), CAST(FLOOR(EXTRACT(SECOND FROM "sales"."at")) AS INTEGER), CAST(EXTRACT(EPOCH FROM "sales"."at") AS DOUBLE PRECISION)' + F,
        libsql: "SELECT CAST(strftime('%Y', \"sales\".\"day\") AS INTEGER), CAST(strftime('%w', \"sales\".\"at\") AS INTEGER), ((CAST(strftime('%j', \"sales\".\"at\", '-3 days', 'weekday 4') AS INTEGER) - 1) / 7 + 1), CAST(strftime('%S', \"sales\".\"at\") AS INTEGER), unixepoch(\"sales\".\"at\", 'subsec')" + F,
        mysql: 'SELECT EXTRACT(YEAR FROM `sales`.`day`), (DAYOFWEEK(`sales`.`at`) - 1), WEEK(`sales`.`at`, 3), EXTRACT(SECOND FROM `sales`.`at`), UNIX_TIMESTAMP(`sales`.`at`) FROM `sales`',
      })
  })
  it('truncates dates and timestamps, keeping the operand’s type', () => {
    expectSql(select(dateTrunc('month', s.day), dateTrunc('week', s.at)), 'SELECT date_trunc(\'month\', "sales"."day"), date_trunc(\'week\', "sales"."at")' + F, [], {
      postgres: 'SELECT CAST(date_trunc(\'month\', "sales"."day") AS DATE), date_trunc(\'week\', "sales"."at")' + F,
      libsql: "SELECT strftime('%Y-%m-01', \"sales\".\"day\"), strftime('%Y-%m-%d 00:00:00.000', \"sales\".\"at\", 'weekday 0', '-6 days')" + F,
      mysql: "SELECT CAST(DATE_FORMAT(`sales`.`day`, '%Y-%m-01') AS DATE), CAST(DATE(`sales`.`at`) - INTERVAL WEEKDAY(`sales`.`at`) DAY AS DATETIME(6)) FROM `sales`",
    })
    expect(dateTrunc('month', s.day).type).to.equal(s.day.type)
    expect(() => extract('fortnight' as never, s.day)).to.throw(/extract\(\) reads year, quarter/)
  })
})

describe('compile: JSON paths', () => {
  it('binds the path: #> / #>> on PostgreSQL, JSON_EXTRACT on MySQL, -> on SQLite', () => {
    expectSql(select(s.doc.json('a', 0), s.doc.jsonText('b')), 'SELECT JSON_QUERY("sales"."doc", ?), JSON_VALUE("sales"."doc", ?)' + F, ['$."a"[0]', '$."b"'], {
      postgres: ['SELECT ("sales"."doc" #> ARRAY[$1::text, $2::text]), ("sales"."doc" #>> ARRAY[$3::text])' + F, ['a', '0', 'b']],
      libsql: ['SELECT ("sales"."doc" -> ?), CASE json_type("sales"."doc", ?) WHEN \'true\' THEN \'true\' WHEN \'false\' THEN \'false\' ELSE CAST("sales"."doc" ->> ? AS TEXT) END' + F, ['$."a"[0]', '$."b"', '$."b"']],
      mysql: ["SELECT JSON_EXTRACT(`sales`.`doc`, ?), CASE JSON_TYPE(JSON_EXTRACT(`sales`.`doc`, ?)) WHEN 'NULL' THEN NULL ELSE JSON_UNQUOTE(JSON_EXTRACT(`sales`.`doc`, ?)) END FROM `sales`", ['$."a"[0]', '$."b"', '$."b"']],
    })
    expect(compileOn('libsql', select(s.doc.json('we"ird\\key')))[1]).to.deep.equal(['$."we\\"ird\\\\key"'])
    expect(() => s.doc.json('a', -1)).to.throw(/array index \(a whole number ≥ 0\)/)
  })
})

describe('compile: other reporting constructs', () => {
  it('aggregates strings: string_agg, or GROUP_CONCAT … SEPARATOR on MySQL', () => {
    expectSql(select(func.stringAgg(s.region, ', ')), "SELECT string_agg(\"sales\".\"region\", ', ')" + F, [], { mysql: "SELECT GROUP_CONCAT(`sales`.`region` SEPARATOR ', ') FROM `sales`" })
  })
  it('renders DISTINCT ON on PostgreSQL and names the alternative elsewhere', () => {
    const stmt = select(s.region, s.amount).distinct(s.region).orderBy(s.region, s.amount.desc())
    expectSql(stmt, 'SELECT DISTINCT ON ("sales"."region") "sales"."region", "sales"."amount"' + F + ' ORDER BY "sales"."region" ASC, "sales"."amount" DESC', [], refused)
    expect(() => compileOn('mysql', stmt)).to.throw(CompileError, /DISTINCT ON is PostgreSQL's \(capability distinctOn\): elsewhere, number the rows with func\.rowNumber\(\)/)
  })
  it('renders ROLLUP per dialect, refusing it on SQLite and with ORDER BY on MariaDB', () => {
    const stmt = select(s.region, func.sum(s.amount)).groupBy(rollup(s.region, s.day))
    expectSql(stmt, 'SELECT "sales"."region", sum("sales"."amount")' + F + ' GROUP BY ROLLUP ("sales"."region", "sales"."day")', [], {
      ansi: null, libsql: null, mysql: 'SELECT `sales`.`region`, sum(`sales`.`amount`) FROM `sales` GROUP BY `sales`.`region`, `sales`.`day` WITH ROLLUP',
    })
    expect(() => compileOn('libsql', stmt)).to.throw(CompileError, /capability rollup/)
    expect(() => compileOn('mysql', stmt.orderBy(s.region))).to.throw(CompileError, /MariaDB cannot ORDER BY a GROUP BY … WITH ROLLUP/)
    expect(() => compileOn('mysql', select(s.region).groupBy(s.id, rollup(s.region)))).to.throw(CompileError, /put every grouping column inside the one rollup/)
  })
  it('joins LATERAL subqueries where the database has them', () => {
    const top = select(s.amount).from(sales).where(s.region.eq('n')).limit(2).lateral('top')
    const stmt = select(s.id, top.c.amount).join(top, trueValue())
    expectSql(stmt, 'SELECT "sales"."id", "top"."amount"' + F + ' JOIN LATERAL (SELECT "sales"."amount" FROM "sales" WHERE "sales"."region" = ? LIMIT 2) AS "top" ON TRUE', ['n'], refused)
    expect(() => compileOn('libsql', stmt)).to.throw(CompileError, /capability lateral/)
  })
  it('names a CTE’s columns, and checks their number', () => {
    const c = select(s.id, s.amount).cte('c', { columns: ['a', 'b'] })
    expectSql(select(c.c.a, c.c.b), 'WITH "c" ("a", "b") AS (SELECT "sales"."id", "sales"."amount" FROM "sales") SELECT "c"."a", "c"."b" FROM "c"', [])
    expect(() => select(s.id).cte('c', { columns: ['a', 'b'] })).to.throw(/'c' names 2 columns, but its query has 1/)
  })
  it('writes inline() constants and literalColumn() text into the SQL, with the value in the cache key', () => {
    expectSql(select(inline('x').label('k'), inline(3), literalColumn('1 + 1', Integer)), 'SELECT \'x\' AS "k", 3, 1 + 1', [])
    expect(compileOn('postgres', select(inline('it\'s')))).to.deep.equal(["SELECT 'it''s'", []])
    expect(compileOn('postgres', select(inline('other')))).to.deep.equal(["SELECT 'other'", []])
    expect(() => inline({} as never)).to.throw(/inline\(\) takes a string, number, boolean or bigint/)
  })
  it('renders the typed functions per dialect (greatest/least are max/min on SQLite, mod is % there)', () => {
    expectSql(select(func.round(s.amount, 1), func.greatest(s.amount, 5), func.least(s.amount, 1), func.mod(s.amount, 3), func.nullif(s.region, '')),
      'SELECT round("sales"."amount", 1), greatest("sales"."amount", ?), least("sales"."amount", ?), mod("sales"."amount", ?), nullif("sales"."region", ?)' + F, [5, 1, 3, ''], {
        libsql: 'SELECT round("sales"."amount", 1), max("sales"."amount", ?), min("sales"."amount", ?), ("sales"."amount" % ?), nullif("sales"."region", ?)' + F,
      })
  })
})
