// models_setup.ts — the declarative base every model inherits from. No output.
import { createAsyncEngine, declarativeBase } from '@athanor/core'
import { DATABASE_URL } from './db.js'

const Base = declarativeBase()

// The seed only defines the base; we also create its (empty) metadata so the program runs end to end.
const engine = createAsyncEngine(DATABASE_URL)
await Base.metadata.createAll(engine)
await engine.dispose()
