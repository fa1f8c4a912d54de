/**
 * Type tests for column options: the columns a query's defer()/loadOnly() certainly leave out
 * read as NotLoaded in its results; keys, foreign keys and undeferred columns stay readable.
 */
import { AsyncSession, ForeignKey, Integer, String, Text, declarativeBase, defer, loadOnly, mappedColumn, select, undefer } from '@athanor/core'
import type { NotLoaded } from '@athanor/core'
import { expectType } from './expect-type.js'

const Base = declarativeBase()
class Team extends Base.model('teams', { id: mappedColumn(Integer, { primaryKey: true }) }) {}
class Writer extends Base.model('writers', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(40)),
  bio: mappedColumn(Text, { nullable: true }),
  notes: mappedColumn(Text),
  teamId: mappedColumn(Integer, ForeignKey('teams.id')),
  version: mappedColumn(Integer, { versionId: true }),
}) {
  initials(): string {
    return this.name.slice(0, 1)
  }
}

export async function deferredColumnsReadAsNotLoaded(session: AsyncSession): Promise<void> {
  const [w] = (await session.scalars(select(Writer).options(defer(Writer.c.bio)))).all()
  if (w === undefined) return
  expectType<NotLoaded<string | null>>()(w.bio)
  // @ts-expect-error an unloaded column cannot be used as its value
  w.bio?.length
  expectType<string>()(w.name)
  expectType<string>()(w.initials())
  expectType<string | null>()(await w.$.bio)
}

export async function loadOnlyLeavesOutTheRestButKeys(session: AsyncSession): Promise<void> {
  const w = (await session.scalars(select(Writer).options(loadOnly(Writer.c.name)))).one()
  expectType<string>()(w.name)
  expectType<number>()(w.id)
  expectType<number>()(w.teamId)
  expectType<number>()(w.version)
  // @ts-expect-error left out by loadOnly
  w.notes.length
  // @ts-expect-error left out by loadOnly
  w.bio?.length
}

export async function undeferAndOtherClassesClaimNothing(session: AsyncSession): Promise<void> {
  const w = (await session.scalars(select(Writer).options(defer(Writer.c.bio, Writer.c.notes), undefer(Writer.c.notes)))).one()
  expectType<string>()(w.notes)
  expectType<NotLoaded<string | null>>()(w.bio)
  // Two entities in a row: an option could name either, so nothing is claimed.
  const [row] = (await session.execute(select(Writer, Team).options(defer(Writer.c.bio)))).all()
  if (row) expectType<string | null>()(row[0].bio)
  // No column options: the class's types as declared.
  expectType<string | null>()((await session.scalars(select(Writer))).one().bio)
}
