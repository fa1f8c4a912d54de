// product_model.ts — a model with constraints and client defaults. No output.
import { Float, Integer, String, createAsyncEngine, declarativeBase, mappedColumn } from '@athanor/core'
import { DATABASE_URL } from './db.js'

const Base = declarativeBase()

export class Product extends Base.model('products', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(100)), // NOT NULL unless nullable: true
  price: mappedColumn(Float, { default: 0.0 }),
  stock: mappedColumn(Integer, { default: 0 }),
}) {}

const engine = createAsyncEngine(DATABASE_URL)
await Base.metadata.dropAll(engine) // a server database may still hold these tables from an earlier run
await Base.metadata.createAll(engine)
await Base.metadata.dropAll(engine) // leave a server database as we found it
await engine.dispose()
