// db.ts — the database every example uses: SQLite in memory, or the one DATABASE_URL names:
//   DATABASE_URL=postgresql://postgres@localhost/demo npx tsx --conditions=@athanor/source examples/blog_system.ts
//   DATABASE_URL=mysql://root@localhost/demo npx tsx --conditions=@athanor/source examples/blog_system.ts
// Importing a dialect package registers its URL schemes with createAsyncEngine().
import '@athanor/libsql'
import '@athanor/postgres'
import '@athanor/mysql'

export const DATABASE_URL = process.env.DATABASE_URL ?? 'sqlite://:memory:'
