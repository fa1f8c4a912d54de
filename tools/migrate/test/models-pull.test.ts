/**
 * `models pull` on an existing schema of twelve tables — composite primary and foreign keys, a
 * self-reference, a composite self-reference, link tables (one with a composite key), enums,
 * defaults, indexes — on every backend: the generated models type-check under the project's
 * strict settings, work in queries with their inferred relationships, and round-trip: pull →
 * createAll on an empty database → reflect again gives the same schema.
 */
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'chai'
import {
  AsyncSession, BigInteger, DateTime, DateType, Enum, ForeignKey, ForeignKeyConstraint, Index, Integer, JSON as Json, MetaData, Numeric,
  PrimaryKeyConstraint, String as Str, Table, Text, UniqueConstraint, column, createAsyncEngine, select, selectinload, sqlDefault, type Engine,
} from '@athanor/core'
import { diffSchemas, pullModels, reflectSchema } from '@athanor/migrate'
import { forEachBackend } from '../../../test/reliability/support/backends.js'
import { loadModule } from '../src/load-module.js'
import { workFolder } from './support/work-folder.js'

const ROOT = fileURLToPath(new URL('../../../', import.meta.url))

function existingSchema(): MetaData {
  const md = new MetaData()
  new Table('pl_countries', md, { code: column(Str(2), { primaryKey: true }), name: column(Str(60)) })
  new Table('pl_cities', md, { id: column(Integer, { primaryKey: true }), country_code: column(Str(2), ForeignKey('pl_countries.code')), name: column(Str(60)) }, new Index('ix_pl_cities_name', ['name']))
  new Table('pl_people', md, {
    id: column(Integer, { primaryKey: true }),
    full_name: column(Str(100)),
    manager_id: column(Integer, ForeignKey('pl_people.id'), { nullable: true }),
    city_id: column(Integer, ForeignKey('pl_cities.id', { onDelete: 'SET NULL' }), { nullable: true }),
    joined: column(DateType, { nullable: true }),
  })
  new Table('pl_teams', md, { id: column(Integer, { primaryKey: true }), name: column(Str(60), { unique: true }), mood: column(Enum(['calm', 'busy'] as const, { name: 'pl_mood' }), { serverDefault: 'calm' }) })
  new Table('pl_team_members', md, { team_id: column(Integer, ForeignKey('pl_teams.id')), person_id: column(Integer, ForeignKey('pl_people.id')) }, new PrimaryKeyConstraint(['team_id', 'person_id']))
  new Table('pl_projects', md, {
    id: column(Integer, { primaryKey: true }),
    team_id: column(Integer, ForeignKey('pl_teams.id', { onDelete: 'CASCADE' })),
    title: column(Str(120)),
    budget: column(Numeric(12, 2), { serverDefault: 0 }),
  }, new UniqueConstraint(['team_id', 'title'], { name: 'uq_pl_projects_title' }))
  new Table('pl_tasks', md, {
    project_id: column(Integer, ForeignKey('pl_projects.id')),
    seq: column(Integer),
    title: column(Str(120)),
    parent_project_id: column(Integer, { nullable: true }),
    parent_seq: column(Integer, { nullable: true }),
  }, new PrimaryKeyConstraint(['project_id', 'seq']), new ForeignKeyConstraint(['parent_project_id', 'parent_seq'], ['pl_tasks.project_id', 'pl_tasks.seq'], { name: 'fk_pl_tasks_parent' }))
  new Table('pl_tags', md, { id: column(Integer, { primaryKey: true }), label: column(Str(30), { unique: true }) })
  new Table('pl_task_tags', md, {
    project_id: column(Integer), seq: column(Integer), tag_id: column(Integer, ForeignKey('pl_tags.id')),
  }, new PrimaryKeyConstraint(['project_id', 'seq', 'tag_id']), new ForeignKeyConstraint(['project_id', 'seq'], ['pl_tasks.project_id', 'pl_tasks.seq'], { name: 'fk_pl_task_tags_task' }))
  new Table('pl_comments', md, {
    id: column(Integer, { primaryKey: true }),
    task_project_id: column(Integer), task_seq: column(Integer),
    author_id: column(Integer, ForeignKey('pl_people.id')),
    body: column(Text),
    created: column(DateTime(), { serverDefault: sqlDefault('CURRENT_TIMESTAMP') }),
  }, new ForeignKeyConstraint(['task_project_id', 'task_seq'], ['pl_tasks.project_id', 'pl_tasks.seq'], { name: 'fk_pl_comments_task' }))
  new Table('pl_settings', md, { key: column(Str(40), { primaryKey: true }), value: column(Json<unknown>(), { nullable: true }) })
  new Table('pl_audit', md, { id: column(BigInteger, { primaryKey: true }), at: column(DateTime({ timezone: true })), payload: column(Json<unknown>(), { nullable: true }) })
  return md
}

forEachBackend('migrate: models pull', (backend) => {
  let engine: Engine
  let folder: string
  const tables = existingSchema().tables.map((t) => (t as Table).name)
  before(async () => {
    engine = createAsyncEngine(backend.url)
    folder = workFolder(`pull-${backend.name}`)
  })
  after(async () => {
    if ((engine as Engine | undefined) === undefined) return
    await existingSchema().dropAll(engine, { checkFirst: true })
    await engine.dispose()
    rmSync(folder, { recursive: true, force: true })
  })

  it('writes models that type-check, query, and round-trip through createAll and reflection', async function () {
    this.timeout(120_000)
    const md = existingSchema()
    await md.dropAll(engine, { checkFirst: true })
    await md.createAll(engine)
    const before = await reflectSchema(engine, { only: tables })
    expect(before.tables).to.have.length(12)
    const source = pullModels(before)
    const file = join(folder, 'models.ts')
    writeFileSync(file, source)
    expect(source).to.match(/export class PlPerson extends Base\.model\('pl_people'/)
    expect(source).to.match(/static manager = relationship\(\(\) => PlPerson, \{ backPopulates: 'managerChildren', remoteSide: \(\) => \[PlPerson\.c\.id\] \}\)/)
    expect(source).to.match(/static parent = relationship\(\(\) => PlTask, \{ backPopulates: 'parentChildren', remoteSide: \(\) => \[PlTask\.c\.projectId, PlTask\.c\.seq\] \}\)/)
    expect(source).to.match(/static plCountry = relationship\(\(\) => PlCountry, \{ backPopulates: 'plCities' \}\)/)
    expect(source).to.match(/export const plTeamMembersTable = new Table\('pl_team_members'/)
    expect(source).to.match(/static plPeople = relationship\(\(\) => PlPerson, \{ secondary: plTeamMembersTable, backPopulates: 'plTeams' \}\)/)

    // Type-checks under the project's strict settings (tsconfig.base.json).
    writeFileSync(join(folder, 'tsconfig.json'), JSON.stringify({ extends: join(ROOT, 'tsconfig.base.json'), compilerOptions: { noEmit: true, composite: false, declaration: false, declarationMap: false, sourceMap: false, types: ['node'] }, files: ['models.ts'] }))
    try {
      execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(folder, 'tsconfig.json')], { stdio: 'pipe' })
    } catch (e) {
      expect.fail(`the generated models do not type-check:\n${String((e as { stdout?: Buffer }).stdout ?? e)}`)
    }

    // Round trip: the generated models create the same schema.
    await md.dropAll(engine)
    type PersonRow = { id: number; fullName: string; manager: PersonRow | null; managerChildren: PersonRow[] }
    type PersonClass = (new (init: Partial<PersonRow>) => PersonRow) & { managerChildren: never; manager: never; c: { id: never } }
    const models = (await loadModule(file)) as unknown as { Base: { metadata: MetaData }; PlPerson: PersonClass }
    await models.Base.metadata.createAll(engine)
    const after = await reflectSchema(engine, { only: tables })
    expect(diffSchemas(after, before, { namedEnums: engine.dialect.schema?.namedEnums }).map((c) => c.summary), 'pull → createAll → reflect').to.deep.equal([])

    // The inferred relationships work.
    await using s = new AsyncSession(engine)
    const Person = models.PlPerson
    const boss = new Person({ fullName: 'Boss' })
    s.add(boss)
    await s.flush()
    const report = new Person({ fullName: 'Report' })
    report.manager = boss
    s.add(report)
    await s.commit()
    const people = (await s.scalars(select(Person as never).orderBy(Person.c.id).options(selectinload(Person.managerChildren) as never))).all() as PersonRow[]
    expect(people.map((p) => [p.fullName, p.managerChildren.map((c) => c.fullName)])).to.deep.equal([['Boss', ['Report']], ['Report', []]])
  })
})
