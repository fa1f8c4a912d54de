import { expect } from 'chai'
import { takeInitStatements } from '@athanor/core'

describe('takeInitStatements (the init= parameters of a URL)', function () {
  it('takes every init= parameter in order, decoded, and leaves the others as written', function () {
    const url = 'mysql://app:p%40ss@db:3306/shop?charset=utf8mb4&init=SET%20SESSION%20wsrep_sync_wait%3D1&x=a%2Bb&init=SET+time_zone+%3D+%27%2B00%3A00%27'
    expect(takeInitStatements(url)).to.deep.equal({
      url: 'mysql://app:p%40ss@db:3306/shop?charset=utf8mb4&x=a%2Bb',
      statements: ['SET SESSION wsrep_sync_wait=1', "SET time_zone = '+00:00'"],
    })
  })

  it('drops the ? when nothing else remains, keeps a fragment, and leaves URLs without init= untouched', function () {
    expect(takeInitStatements('sqlite:///app.db?init=PRAGMA%20cache_size%20%3D%20-64000')).to.deep.equal({ url: 'sqlite:///app.db', statements: ['PRAGMA cache_size = -64000'] })
    expect(takeInitStatements('file:app.db?init=PRAGMA%20x#frag')).to.deep.equal({ url: 'file:app.db#frag', statements: ['PRAGMA x'] })
    for (const url of ['postgres://h/db', 'postgres://h/db?sslmode=disable', 'sqlite://:memory:', 'file:a.db?initial=1']) {
      expect(takeInitStatements(url)).to.deep.equal({ url, statements: [] })
    }
  })
})
