/**
 * How many parents' keys one select-in statement carries: up to SELECTIN_BATCH, fewer when the
 * dialect's parameter limit (less the room kept for the statement's other parameters) needs it.
 */
import { expect } from 'chai'
import { SELECTIN_BATCH, selectinBatchSize } from '@athanor/core'
import { libsqlCapabilities } from '@athanor/libsql'
import { mysqlCapabilities } from '@athanor/mysql'
import { postgresCapabilities } from '@athanor/postgres'

describe('select-in batch size', () => {
  it('is the full batch on every bundled dialect for single-column keys', () => {
    for (const caps of [postgresCapabilities, mysqlCapabilities({ flavour: 'mysql', versionNumbers: [8, 0, 36] }), mysqlCapabilities({ flavour: 'mariadb', versionNumbers: [10, 11, 19] }), libsqlCapabilities]) {
      expect(selectinBatchSize(caps.maxParams, 1)).to.equal(SELECTIN_BATCH)
    }
    expect(SELECTIN_BATCH).to.equal(10_000)
  })

  it('divides the free parameters among the columns of a composite key', () => {
    expect(selectinBatchSize(32766, 4)).to.equal(Math.floor((32766 - 1000) / 4))
    expect(selectinBatchSize(65533, 7)).to.equal(Math.floor((65533 - 1000) / 7))
  })

  it('keeps half of a small limit free and never goes below one key', () => {
    expect(selectinBatchSize(999, 2)).to.equal(250)
    expect(selectinBatchSize(999, 1)).to.equal(500)
    expect(selectinBatchSize(2, 5)).to.equal(1)
  })
})
