// What a user sees when the dialect package for a URL was never imported. Run in a child process
// that imports core only: this test process has every dialect registered.
import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { resolve } from 'node:path'

const root = resolve(__dirname, '../..')

function messageFor(url: string): string {
  const script = `import { dialectForUrl } from '@athanor/core'\ntry { dialectForUrl(${JSON.stringify(url)}) } catch (e) { console.log(e.name + ': ' + e.message) }`
  return execFileSync(process.execPath, ['--conditions=@athanor/source', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }).trim()
}

describe('dialect registry: a missing dialect package is named', function () {
  this.timeout(60_000)
  it('names the package that provides each scheme and how to install it', function () {
    expect(messageFor('postgres://u@h/db')).to.equal(
      "ArgumentError: No dialect is registered for 'postgres://' URLs (registered: none). Install and import @athanor/postgres first " +
        "(npm install @athanor/postgres; import '@athanor/postgres'), or pass { dialect } to createAsyncEngine().",
    )
    expect(messageFor('mariadb://u@h/db')).to.contain('Install and import @athanor/mysql first')
    expect(messageFor('sqlite:///app.db')).to.contain('Install and import @athanor/libsql first')
  })
})
