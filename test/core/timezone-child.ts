// Run by timezone.test.ts in a child process whose TZ is not UTC: writes Dates through the engine
// (Table, insert(), select()) into DateTime columns with and without time zone, reads them back,
// and prints what it saw as JSON. The database URL is argv[2].
import { DateTime, DateType, Integer, MetaData, Table, column, createAsyncEngine, insert, select, text } from '@athanor/core'
import '@athanor/libsql'
import '@athanor/postgres'

const url = process.argv[2]!
const md = new MetaData()
const times = new Table(`xz_times_${process.pid}`, md, {
  id: column(Integer, { primaryKey: true }),
  at: column(DateTime()),
  atTz: column(DateTime({ timezone: true })),
  day: column(DateType),
})
const sent = new Date('2024-03-10T06:30:00.123Z') // a DST switch day in America/St_Johns
const engine = createAsyncEngine(url)
try {
  await md.createAll(engine)
  await engine.begin((c) => c.execute(insert(times).values({ at: sent, atTz: sent, day: '2024-03-10' })))
  const found = await engine.begin(async (c) => {
    const row = (await c.execute(select(times.c.at, times.c.atTz, times.c.day).where(times.c.at.eq(sent), times.c.atTz.eq(sent)))).one()
    const raw = (await c.execute(text(`SELECT CAST(at AS TEXT) FROM ${times.name}`))).scalar()
    return { row, raw }
  })
  process.stdout.write(JSON.stringify({
    offset: sent.getTimezoneOffset(), sent: sent.toISOString(),
    at: found.row[0].toISOString(), atTz: found.row[1].toISOString(), day: found.row[2], raw: found.raw,
  }))
} finally {
  await md.dropAll(engine, { checkFirst: true }).catch(() => undefined)
  await engine.dispose()
}
