// product_model.ts — a model with constraints and client defaults. No output.
import { Float, Integer, String, createAsyncEngine, declarativeBase, mappedColumn } from '@athanor/core'
import '@athanor/libsql'

const Base = declarativeBase()

export class Product extends Base.model('products', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(100)), // NOT NULL unless nullable: true
  price: mappedColumn(Float, { default: 0.0 }),
  stock: mappedColumn(Integer, { default: 0 }),
}) {}

const engine = createAsyncEngine(process.env.DATABASE_URL ?? 'sqlite://:memory:')
await Base.metadata.createAll(engine)
await engine.dispose()
