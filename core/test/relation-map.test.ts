/**
 * An object's relationship values: the current half (what the object holds) and the committed
 * half (what the database holds as of the last load or flush) share one store but never each
 * other's values; either half can be emptied without touching the other.
 */
import { expect } from 'chai'
import { RelationMap } from '../src/orm/relation-map.js'

const KEYS = ['posts', 'author', 'tags'] as const

describe('RelationMap', function () {
  it('holds nothing until set: no key is loaded, current or committed', function () {
    const m = new RelationMap<unknown, unknown>(KEYS)
    expect(m.size).to.equal(0)
    for (const k of KEYS) expect([m.has(k), m.hasCommitted(k), m.get(k), m.getCommitted(k)]).to.deep.equal([false, false, undefined, undefined])
    expect([...m]).to.deep.equal([])
    expect(m.committedEntries()).to.deep.equal([])
  })

  it('keeps the current and committed values of a relationship apart', function () {
    const m = new RelationMap<unknown, unknown>(KEYS)
    const was = [{ id: 1 }]
    const now = [{ id: 1 }, { id: 2 }]
    m.setCommitted('posts', was)
    expect([m.has('posts'), m.hasCommitted('posts')]).to.deep.equal([false, true])
    m.set('posts', now).set('author', null)
    expect(m.get('posts')).to.equal(now)
    expect(m.getCommitted('posts')).to.equal(was)
    expect(m.size).to.equal(2)
    expect([...m]).to.deep.equal([['posts', now], ['author', null]])
    expect(m.committedEntries()).to.deep.equal([['posts', was]])
    // undefined is a value (set), distinct from not loaded.
    m.set('tags', undefined)
    expect([m.has('tags'), m.size]).to.deep.equal([true, 3])
  })

  it('deletes and clears the current half only; clearCommitted the committed half only', function () {
    const m = new RelationMap<unknown, unknown>(KEYS)
    m.set('posts', []).set('author', null).setCommitted('posts', []).setCommitted('author', null)
    expect(m.delete('author')).to.equal(true)
    expect(m.delete('author')).to.equal(false)
    expect(m.hasCommitted('author')).to.equal(true)
    m.clear()
    expect([m.size, m.hasCommitted('posts'), m.hasCommitted('author')]).to.deep.equal([0, true, true])
    m.set('tags', [])
    m.clearCommitted()
    expect([m.committedEntries(), [...m].map(([k]) => k)]).to.deep.equal([[], ['tags']])
  })

  it('some() sees current values in key order and stops at the first match', function () {
    const m = new RelationMap<number, number>(KEYS)
    m.set('tags', 3).set('posts', 1).setCommitted('author', 2)
    const seen: string[] = []
    expect(m.some((k, v) => (seen.push(k), v === 1))).to.equal(true)
    expect(seen).to.deep.equal(['posts'])
    expect(m.some((_, v) => v === 2)).to.equal(false)
  })

  it('refuses a name that is not one of the class relationships', function () {
    const m = new RelationMap<unknown, unknown>(KEYS)
    expect(() => m.set('comments', [])).to.throw(TypeError, /'comments' is not a relationship of this object's class \(posts, author, tags\)/)
    expect(() => m.setCommitted('comments', [])).to.throw(TypeError, /'comments'/)
    expect([m.has('comments'), m.hasCommitted('comments'), m.get('comments'), m.getCommitted('comments'), m.delete('comments')]).to.deep.equal([false, false, undefined, undefined, false])
  })
})
