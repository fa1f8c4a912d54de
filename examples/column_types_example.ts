// column_types_example.ts — the common column types. No output.
import {
  Boolean, DateTime, DateType, Float, Integer, String, Text, createAsyncEngine, declarativeBase, mappedColumn,
} from '@athanor/core'
import { DATABASE_URL } from './db.js'

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

const engine = createAsyncEngine(DATABASE_URL)
await Base.metadata.dropAll(engine) // a server database may still hold these tables from an earlier run
await Base.metadata.createAll(engine)
await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
