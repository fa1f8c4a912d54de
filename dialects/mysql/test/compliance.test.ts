import { complianceSuites, runCompliance } from '@athanor/testing'
import { resolveBackend } from '../../../test/support/backends.js'
import { DEFAULT_COMPILE_TARGET, MysqlDialect } from '@athanor/mysql'

const resolve = () => resolveBackend('mysql')
runCompliance({ backend: 'mysql', resolve }, complianceSuites)

// No MySQL server runs here, so the suites run a second time against the same server with the
// capabilities of MySQL 8.0 forced: no RETURNING at all, ids from insertId arithmetic, server
// values fetched with a SELECT. The compiler avoids syntax MariaDB lacks (FOR SHARE, row alias).
const asMysql80 = new MysqlDialect({
  serverInfo: { ...DEFAULT_COMPILE_TARGET, version: '8.0.0 (forced)', clusterAutoIncrement: false, backslashEscapes: true },
})
runCompliance({ backend: 'mysql as MySQL 8.0 (no RETURNING)', resolve, engineOptions: { dialect: asMysql80 } }, complianceSuites)
