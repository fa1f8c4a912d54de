import { expect } from 'chai'
import { AsyncSession, ForeignKey, Integer, String, declarativeBase, func, mappedColumn, relationship, select, selectinload } from '@athanor/core'
import { dialectSql, keyListSql, useDatabase } from '../suite.js'
import type { Suite } from '../suite.js'

const Base = declarativeBase()

// The default cascade, 'save-update, merge': children follow their parent into the session and
// through merge(), but are not deleted with it.
class Folder extends Base.model('folders', { id: mappedColumn(Integer, { primaryKey: true }), name: mappedColumn(String(50)) })<Folder> {
  declare files: File[]
  static files = relationship(() => File, { backPopulates: 'folder' })
}
class File extends Base.model('files', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
  folder_id: mappedColumn(Integer, ForeignKey('folders.id'), { nullable: true }),
})<File> {
  declare folder: Folder | null
  static folder = relationship(() => Folder, { backPopulates: 'files' })
}

// 'all, delete-orphan': children live and die with their parent.
class Album extends Base.model('albums', { id: mappedColumn(Integer, { primaryKey: true }), title: mappedColumn(String(50)) })<Album> {
  declare photos: Photo[]
  static photos = relationship(() => Photo, { backPopulates: 'album', cascade: 'all, delete-orphan' })
}
class Photo extends Base.model('photos', {
  id: mappedColumn(Integer, { primaryKey: true }),
  caption: mappedColumn(String(50)),
  album_id: mappedColumn(Integer, ForeignKey('albums.id')),
})<Photo> {
  declare album: Album
  static album = relationship(() => Album, { backPopulates: 'photos' })
}

// 'save-update, delete' without delete-orphan or merge.
class Team extends Base.model('teams', { id: mappedColumn(Integer, { primaryKey: true }), name: mappedColumn(String(50)) })<Team> {
  declare members: Member[]
  static members = relationship(() => Member, { backPopulates: 'team', cascade: 'save-update, delete' })
}
class Member extends Base.model('members', {
  id: mappedColumn(Integer, { primaryKey: true }),
  name: mappedColumn(String(50)),
  team_id: mappedColumn(Integer, ForeignKey('teams.id'), { nullable: true }),
})<Member> {
  declare team: Team | null
  static team = relationship(() => Team, { backPopulates: 'members' })
}

// Passive deletes: the database's ON DELETE CASCADE removes the children.
class Forum extends Base.model('forums', { id: mappedColumn(Integer, { primaryKey: true }), name: mappedColumn(String(50)) })<Forum> {
  declare threads: Thread[]
  static threads = relationship(() => Thread, { backPopulates: 'forum', cascade: 'all, delete-orphan', passiveDeletes: true })
}
class Thread extends Base.model('threads', {
  id: mappedColumn(Integer, { primaryKey: true }),
  subject: mappedColumn(String(50)),
  forum_id: mappedColumn(Integer, ForeignKey('forums.id', { onDelete: 'CASCADE' })),
})<Thread> {
  declare forum: Forum
  static forum = relationship(() => Forum, { backPopulates: 'threads' })
}

export const ormCascadesSuite: Suite = (ctx) => describe('ORM cascades', () => {
  const db = useDatabase(ctx, Base.metadata)
  const statements = db.statements
  const sql = (ansi: string): string => dialectSql(db.engine, ansi)
  const count = async (s: AsyncSession, entity: typeof File | typeof Photo | typeof Member | typeof Thread): Promise<number | undefined> =>
    s.scalar(select(func.count()).from(entity))

  describe('save-update', () => {
    it('adds the objects a new parent refers to, and children appended to a loaded collection later', async () => {
      await using s = new AsyncSession(db.engine)
      const docs = new Folder({ name: 'docs', files: [new File({ name: 'a.txt' })] })
      s.add(docs)
      expect(s.new).to.have.length(1) // the cascade runs at flush, as in SQLAlchemy's flush-time cascade
      await s.commit()
      expect(await count(s, File)).to.equal(1)
      await s.load(docs, 'files')
      docs.files.push(new File({ name: 'b.txt' }))
      await s.commit()
      expect((await s.execute(select(File.c.name, File.c.folder_id).orderBy(File.c.name))).all()).to.deep.equal([['a.txt', docs.id], ['b.txt', docs.id]])
    })
  })

  describe('without delete', () => {
    it('sets the children\'s foreign key to NULL when the parent is deleted, loading them if needed', async () => {
      {
        await using s = new AsyncSession(db.engine)
        s.add(new Folder({ name: 'tmp', files: [new File({ name: 'keep.txt' })] }))
        await s.commit()
      }
      await using s = new AsyncSession(db.engine)
      const tmp = (await s.scalars(select(Folder))).one()
      statements.length = 0
      await s.delete(tmp)
      await s.commit()
      expect(statements).to.deep.equal([
        sql('SELECT "files"."id", "files"."name", "files"."folder_id" FROM "files" WHERE "files"."folder_id" IN (?)'),
        sql('UPDATE "files" SET "folder_id" = ? WHERE "files"."id" = ?'),
        sql(`DELETE FROM "folders" WHERE "folders"."id" ${keyListSql(db.engine, 1)}`),
      ])
      expect((await s.execute(select(File.c.name, File.c.folder_id))).all()).to.deep.equal([['keep.txt', null]])
    })
  })

  describe('delete', () => {
    it('deletes the children before the parent, and a removed child only loses its foreign key', async () => {
      {
        await using s = new AsyncSession(db.engine)
        s.add(new Team({ name: 'red', members: [new Member({ name: 'ann' }), new Member({ name: 'bo' })] }))
        await s.commit()
      }
      await using s = new AsyncSession(db.engine)
      const red = (await s.scalars(select(Team).options(selectinload(Team.members)))).one()
      const bo = red.members.find((m) => m.name === 'bo')!
      red.members.splice(red.members.indexOf(bo), 1) // not delete-orphan: bo stays, without a team
      await s.flush()
      expect(bo.team_id).to.equal(null)
      statements.length = 0
      await s.delete(red)
      await s.commit()
      expect(statements).to.deep.equal([
        sql(`DELETE FROM "members" WHERE "members"."id" ${keyListSql(db.engine, 1)}`),
        sql(`DELETE FROM "teams" WHERE "teams"."id" ${keyListSql(db.engine, 1)}`),
      ])
      expect((await s.scalars(select(Member.c.name))).all()).to.deep.equal(['bo'])
    })
  })

  describe('delete-orphan and "all, delete-orphan"', () => {
    it('deletes a child removed from its collection, and every child with the parent', async () => {
      {
        await using s = new AsyncSession(db.engine)
        s.add(new Album({ title: 'trip', photos: [new Photo({ caption: 'beach' }), new Photo({ caption: 'hill' }), new Photo({ caption: 'town' })] }))
        await s.commit()
      }
      await using s = new AsyncSession(db.engine)
      const trip = (await s.scalars(select(Album).options(selectinload(Album.photos)))).one()
      const beach = trip.photos.find((p) => p.caption === 'beach')!
      trip.photos.splice(trip.photos.indexOf(beach), 1)
      statements.length = 0
      await s.flush()
      expect(statements).to.deep.equal([sql(`DELETE FROM "photos" WHERE "photos"."id" ${keyListSql(db.engine, 1)}`)])
      expect(s.identityMap.size).to.equal(3) // the album and two photos
      // A child moved to another parent is not an orphan.
      const other = new Album({ title: 'other' })
      s.add(other)
      const hill = trip.photos[0]!
      expect(hill.caption).to.equal('hill')
      hill.album = other
      expect(trip.photos.map((p) => p.caption)).to.deep.equal(['town'])
      await s.flush()
      expect(await count(s, Photo)).to.equal(2)
      // The collection is loaded, so the delete cascades from memory without a SELECT.
      statements.length = 0
      await s.delete(trip)
      await s.commit()
      expect(statements).to.deep.equal([
        sql(`DELETE FROM "photos" WHERE "photos"."id" ${keyListSql(db.engine, 1)}`),
        sql(`DELETE FROM "albums" WHERE "albums"."id" ${keyListSql(db.engine, 1)}`),
      ])
      expect((await s.scalars(select(Photo.c.caption))).all()).to.deep.equal(['hill'])
    })

    it('restores a collection changed inside a rolled-back savepoint, and its orphan', async () => {
      await using s = new AsyncSession(db.engine)
      const trip = new Album({ title: 'trip', photos: [new Photo({ caption: 'beach' }), new Photo({ caption: 'hill' })] })
      s.add(trip)
      await s.commit()
      await s.load(trip, 'photos')
      const beach = trip.photos[0]!
      await s.beginNested(async () => {
        trip.photos.splice(0, 1)
        trip.photos.push(new Photo({ caption: 'new' }))
        await s.flush() // DELETE beach, INSERT new
        throw new Error('undo')
      }).catch(() => undefined)
      expect(trip.photos.map((p) => p.caption)).to.deep.equal(['beach', 'hill'])
      expect(beach.album).to.equal(trip)
      statements.length = 0
      await s.commit()
      expect(statements).to.deep.equal([])
      expect((await s.scalars(select(Photo.c.caption).orderBy(Photo.c.caption))).all()).to.deep.equal(['beach', 'hill'])
    })

    it('deletes every child when the collection is replaced by an empty one', async () => {
      await using s = new AsyncSession(db.engine)
      const a = new Album({ title: 'a', photos: [new Photo({ caption: 'x' }), new Photo({ caption: 'y' })] })
      s.add(a)
      await s.commit()
      await s.load(a, 'photos')
      a.photos = []
      await s.commit()
      expect(await count(s, Photo)).to.equal(0)
    })
  })

  describe('expunge', () => {
    it('detaches loaded children with the parent under "all", and only the parent otherwise', async () => {
      await using s = new AsyncSession(db.engine)
      const trip = new Album({ title: 'trip', photos: [new Photo({ caption: 'beach' })] })
      const docs = new Folder({ name: 'docs', files: [new File({ name: 'a.txt' })] })
      s.addAll([trip, docs])
      await s.commit()
      await s.load(trip, 'photos')
      await s.load(docs, 'files')
      s.expunge(trip)
      s.expunge(docs)
      expect(s.identityMap.size).to.equal(1) // a.txt: Folder.files has the default cascade
      expect([...s.identityMap.values()]).to.deep.equal([docs.files[0]])
    })
  })

  describe('passive deletes', () => {
    it('leaves unloaded children to ON DELETE CASCADE: one DELETE, no SELECT', async () => {
      {
        await using s = new AsyncSession(db.engine)
        s.add(new Forum({ name: 'general', threads: [new Thread({ subject: 'hello' }), new Thread({ subject: 'rules' })] }))
        await s.commit()
      }
      await using s = new AsyncSession(db.engine)
      const general = (await s.scalars(select(Forum))).one()
      statements.length = 0
      await s.delete(general)
      await s.commit()
      expect(statements).to.deep.equal([sql(`DELETE FROM "forums" WHERE "forums"."id" ${keyListSql(db.engine, 1)}`)])
      expect(await count(s, Thread)).to.equal(0)
    })
  })

  describe('merge', () => {
    it('follows merge cascades: a detached parent\'s loaded children are merged with it', async () => {
      let trip: Album
      {
        await using s = new AsyncSession(db.engine)
        s.add(new Album({ title: 'trip', photos: [new Photo({ caption: 'beach' })] }))
        await s.commit()
        trip = (await s.scalars(select(Album).options(selectinload(Album.photos)))).one()
      } // closing the session detaches trip and its photos
      trip.title = 'summer trip'
      trip.photos[0]!.caption = 'sunny beach'
      trip.photos.push(new Photo({ caption: 'sunset' }))
      await using s = new AsyncSession(db.engine)
      const merged = await s.merge(trip)
      expect(merged).to.not.equal(trip)
      expect(merged.photos.map((p) => p.caption)).to.deep.equal(['sunny beach', 'sunset'])
      expect(merged.photos[0]!.album).to.equal(merged)
      statements.length = 0
      await s.commit()
      const returning = db.capabilities.returning.insert ? ' RETURNING "id"' : ''
      expect(statements).to.deep.equal([
        sql(`INSERT INTO "photos" ("caption", "album_id") VALUES (?, ?)${returning}`),
        sql('UPDATE "albums" SET "title" = ? WHERE "albums"."id" = ?'),
        sql('UPDATE "photos" SET "caption" = ? WHERE "photos"."id" = ?'),
      ])
      expect((await s.execute(select(Photo.c.caption, Photo.c.album_id).orderBy(Photo.c.caption))).all()).to.deep.equal([['sunny beach', trip.id], ['sunset', trip.id]])
      expect(await s.scalar(select(Album.c.title))).to.equal('summer trip')
    })

    it('does not follow a relationship without the merge cascade', async () => {
      let red: Team
      {
        await using s = new AsyncSession(db.engine)
        s.add(new Team({ name: 'red', members: [new Member({ name: 'ann' })] }))
        await s.commit()
        red = (await s.scalars(select(Team).options(selectinload(Team.members)))).one()
      }
      red.members[0]!.name = 'anne'
      await using s = new AsyncSession(db.engine)
      const merged = await s.merge(red)
      await s.commit()
      expect(merged.name).to.equal('red')
      expect(await s.scalar(select(Member.c.name))).to.equal('ann')
    })
  })
})
