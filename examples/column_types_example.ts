// column_types_example.ts — the common column types. No output.
import {
  Boolean, DateTime, DateType, Float, Integer, String, Text, createAsyncEngine, declarativeBase, mappedColumn,
} from '@athanor/core'
import '@athanor/libsql'

const Base = declarativeBase()

export class Article extends Base.model('articles', {
  id: mappedColumn(Integer, { primaryKey: true }),
  title: mappedColumn(String(255)),
  content: mappedColumn(Text),
  is_published: mappedColumn(Boolean, { default: false }),
  rating: mappedColumn(Float),
  views: mappedColumn(Integer, { default: 0 }),
  created_at: mappedColumn(DateTime(), { default: () => new Date() }),
  published_date: mappedColumn(DateType, { nullable: true }),
}) {}

const engine = createAsyncEngine(process.env.DATABASE_URL ?? 'sqlite://:memory:')
await Base.metadata.createAll(engine)
await engine.dispose()
