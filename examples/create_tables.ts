// create_tables.ts — create an engine and emit CREATE TABLE for every model.
import { Integer, String, createAsyncEngine, declarativeBase, mappedColumn } from '@athanor/core'
import '@athanor/libsql'

const Base = declarativeBase()

export class User extends Base.model('users', {
  id: mappedColumn(Integer, { primaryKey: true }),
  email: mappedColumn(String(100), { unique: true }),
}) {}

// An in-memory SQLite database
const engine = createAsyncEngine(process.env.DATABASE_URL ?? 'sqlite://:memory:')

// Create all tables defined in metadata
await Base.metadata.createAll(engine)
console.log('Tables created successfully!')

await engine.dispose()
