// create_tables.ts — create an engine and emit CREATE TABLE for every model.
import { Integer, String, createAsyncEngine, declarativeBase, mappedColumn } from '@athanor/core'
import { DATABASE_URL } from './db.js'

const Base = declarativeBase()

export class User extends Base.model('users', {
  id: mappedColumn(Integer, { primaryKey: true }),
  email: mappedColumn(String(100), { unique: true }),
}) {}

// An in-memory SQLite database (or the database DATABASE_URL names, see db.ts)
const engine = createAsyncEngine(DATABASE_URL)
await Base.metadata.dropAll(engine) // a server database may still hold these tables from an earlier run

// Create all tables defined in metadata
await Base.metadata.createAll(engine)
console.log('Tables created successfully!')

await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
