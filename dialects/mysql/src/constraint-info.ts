import type { ConstraintInfo, IntegrityKind } from '@athanor/core'
import type { MysqlFlavour } from './server-info.js'

/**
 * Which constraint an integrity error is about, read from the server's message: MySQL and
 * MariaDB send no structured fields. Only names are taken from it, never the row values that
 * "Duplicate entry '…'" echoes. The server is not asked anything (a unique violation names the
 * index, and its columns would need a catalogue query), so columns stay undefined there.
 */

// A backtick-quoted identifier; a backtick inside the name is doubled.
const ID = '`((?:[^`]|``)*)`'
const QUALIFIED = `(?:\`(?:[^\`]|\`\`)*\`\\.)?${ID}`
const ID_LIST = '((?:`(?:[^`]|``)*`(?:, ?)?)+)'
// "… a foreign key constraint fails (`db`.`child`, CONSTRAINT `fk` FOREIGN KEY (`a`, `b`) REFERENCES `parent` (`x`, `y`) …)"
const FOREIGN_KEY = new RegExp(`foreign key constraint fails \\(${QUALIFIED}, CONSTRAINT ${ID} FOREIGN KEY \\(${ID_LIST}\\) REFERENCES ${QUALIFIED} \\(`, 'is')
// MariaDB 4025: "CONSTRAINT `ck` failed for `db`.`table`"
const CHECK_MARIADB = new RegExp(`^CONSTRAINT ${ID} failed for ${QUALIFIED}$`, 's')
// MySQL 3819: "Check constraint 'ck' is violated."
const CHECK_MYSQL = /^Check constraint '(.*)' is violated\.?$/s
// 1048 "Column 'x' cannot be null", 1364 "Field 'x' doesn't have a default value",
// 1263 "Column set to default value; NULL supplied to NOT NULL column 'x' at row 1"
const NOT_NULL = [/^Column '(.*)' cannot be null$/s, /^Field '(.*)' doesn't have a default value$/s, /NOT NULL column '(.*)' at row \d+$/s]
// 1022 "Can't write; duplicate key in table 't'"
const DUP_KEY_TABLE = /duplicate key in table '(.*)'$/s

const unquote = (name: string): string => name.replaceAll('``', '`')

function identifiers(list: string): string[] {
  return [...list.matchAll(/`((?:[^`]|``)*)`/g)].map((m) => unquote(m[1]!))
}

/**
 * ```ts
 * mysqlConstraintInfo('unique', "Duplicate entry 'a@b.c' for key 'users.users_email'", 'mysql')
 * // { constraint: 'users_email', table: 'users' }
 * mysqlConstraintInfo('not-null', "Column 'name' cannot be null") // { columns: ['name'] }
 * ```
 */
export function mysqlConstraintInfo(kind: IntegrityKind, text: string, flavour?: MysqlFlavour): ConstraintInfo {
  switch (kind) {
    case 'unique': return uniqueInfo(text, flavour)
    case 'foreign-key': {
      const m = FOREIGN_KEY.exec(text)
      if (m === null) return {}
      return { table: unquote(m[1]!), constraint: unquote(m[2]!), columns: identifiers(m[3]!), referencedTable: unquote(m[4]!) }
    }
    case 'not-null': {
      for (const re of NOT_NULL) {
        const column = re.exec(text)?.[1]
        if (column !== undefined) return { columns: [column] }
      }
      return {}
    }
    case 'check': {
      const mariadb = CHECK_MARIADB.exec(text)
      if (mariadb !== null) return { constraint: unquote(mariadb[1]!), table: unquote(mariadb[2]!) }
      const mysql = CHECK_MYSQL.exec(text)?.[1]
      return mysql === undefined ? {} : { constraint: mysql }
    }
    default: return {}
  }
}

// "Duplicate entry '<value>' for key '<key>'". The value may hold anything, so the key is the
// text after the last " for key '". MySQL 8.0.19+ writes the key as 'table.index'; MariaDB
// writes the bare index name, which may itself contain a dot.
function uniqueInfo(text: string, flavour: MysqlFlavour | undefined): ConstraintInfo {
  const at = text.lastIndexOf(" for key '")
  if (at < 0 || !text.endsWith("'")) {
    const table = DUP_KEY_TABLE.exec(text)?.[1]
    return table === undefined ? {} : { table }
  }
  const key = text.slice(at + " for key '".length, -1)
  const dot = key.indexOf('.')
  if (flavour !== 'mariadb' && dot > 0 && dot < key.length - 1) return { table: key.slice(0, dot), constraint: key.slice(dot + 1) }
  return { constraint: key }
}
