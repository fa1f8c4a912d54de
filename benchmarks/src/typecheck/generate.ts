/**
 * Generates the same application twice — a chain of `models` tables, each with six columns, a
 * foreign key to the one before and relationships both ways, and `queries` typed queries (a
 * filtered select, a relationship load, an insert) — once for Athanor and once for Drizzle, so
 * the type checker's cost for each can be measured on identical schemas.
 */
export interface GeneratedProject {
  readonly name: string
  readonly files: Readonly<Record<string, string>>
}

const columns = (i: number): string[] => [`title${i}`, `score${i}`, `price${i}`, `active${i}`, `note${i}`]

export function athanorProject(models: number, queries: number): GeneratedProject {
  const lines = [
    "import { AsyncSession, Boolean, ForeignKey, Integer, Numeric, String, declarativeBase, mappedColumn, relationship, select, selectinload } from '@athanor/core'",
    'export const Base = declarativeBase()',
  ]
  for (let i = 0; i < models; i++) {
    const [title, score, price, active, note] = columns(i)
    lines.push(`export class M${i} extends Base.model('m${i}', {
  id: mappedColumn(Integer, { primaryKey: true }),
  ${title}: mappedColumn(String(100)),
  ${score}: mappedColumn(Integer, { default: 0 }),
  ${price}: mappedColumn(Numeric(10, 2), { nullable: true }),
  ${active}: mappedColumn(Boolean, { default: true }),
  ${note}: mappedColumn(String(200), { nullable: true }),
  ${i > 0 ? `parent_id: mappedColumn(Integer, ForeignKey('m${i - 1}.id'), { nullable: true }),` : ''}
})<M${i}> {
  ${i > 0 ? `declare parent: M${i - 1} | null\n  static parent = relationship(() => M${i - 1}, { backPopulates: 'children' })` : ''}
  ${i < models - 1 ? `declare children: M${i + 1}[]\n  static children = relationship(() => M${i + 1}, { backPopulates: 'parent' })` : ''}
}`)
  }
  lines.push('export async function queries(session: AsyncSession): Promise<number> {', '  let n = 0')
  for (let q = 0; q < queries; q++) {
    const i = (q * 7) % (models - 1)
    const [title, score] = columns(i)
    lines.push(`  {
    const rows = (await session.scalars(select(M${i}).where(M${i}.c.${score}.gt(${q}), M${i}.c.${title}.like('a%')).options(selectinload(M${i}.children)).limit(10))).all()
    for (const row of rows) n += row.${score} + row.children.length
    const pairs = (await session.execute(select(M${i}.c.id, M${i}.c.${title}).where(M${i}.c.id.in([1, 2, 3])))).all()
    n += pairs.length
    session.add(new M${i + 1}({ ${columns(i + 1)[0]}: 'x', parent: rows[0] ?? null }))
  }`)
  }
  lines.push('  return n', '}')
  return { name: 'athanor', files: { 'app.ts': lines.join('\n') } }
}

export function drizzleProject(models: number, queries: number): GeneratedProject {
  const lines = [
    "import { boolean, integer, numeric, pgTable, serial, varchar } from 'drizzle-orm/pg-core'",
    "import { relations, and, eq, gt, inArray, like } from 'drizzle-orm'",
    "import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js'",
  ]
  for (let i = 0; i < models; i++) {
    const [title, score, price, active, note] = columns(i)
    lines.push(`export const m${i} = pgTable('m${i}', {
  id: serial('id').primaryKey(),
  ${title}: varchar('${title}', { length: 100 }).notNull(),
  ${score}: integer('${score}').notNull().default(0),
  ${price}: numeric('${price}', { precision: 10, scale: 2 }),
  ${active}: boolean('${active}').notNull().default(true),
  ${note}: varchar('${note}', { length: 200 }),
  ${i > 0 ? `parentId: integer('parent_id').references(() => m${i - 1}.id),` : ''}
})`)
  }
  for (let i = 0; i < models; i++) {
    const parts = [
      i > 0 ? `parent: one(m${i - 1}, { fields: [m${i}.parentId], references: [m${i - 1}.id] })` : '',
      i < models - 1 ? `children: many(m${i + 1})` : '',
    ].filter(Boolean)
    lines.push(`export const m${i}Relations = relations(m${i}, ({ one, many }) => ({ ${parts.join(', ')} }))`)
  }
  const schema = Array.from({ length: models }, (_, i) => `m${i}, m${i}Relations`).join(', ')
  lines.push(`export const schema = { ${schema} }`)
  lines.push('export async function queries(db: PostgresJsDatabase<typeof schema>): Promise<number> {', '  let n = 0')
  for (let q = 0; q < queries; q++) {
    const i = (q * 7) % (models - 1)
    const [title, score] = columns(i)
    lines.push(`  {
    const rows = await db.query.m${i}.findMany({ where: and(gt(m${i}.${score}, ${q}), like(m${i}.${title}, 'a%')), with: { children: true }, limit: 10 })
    for (const row of rows) n += row.${score} + row.children.length
    const pairs = await db.select({ id: m${i}.id, t: m${i}.${title} }).from(m${i}).where(inArray(m${i}.id, [1, 2, 3]))
    n += pairs.length
    await db.insert(m${i + 1}).values({ ${columns(i + 1)[0]}: 'x', parentId: rows[0]?.id ?? null })
    void eq
  }`)
  }
  lines.push('  return n', '}')
  return { name: 'drizzle', files: { 'app.ts': lines.join('\n') } }
}
