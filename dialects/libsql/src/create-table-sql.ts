/**
 * Just enough of SQLite's CREATE TABLE syntax to read back what its pragmas do not report:
 * CHECK constraints (named or not) and the expressions of generated columns. The text is the
 * one SQLite keeps in sqlite_schema, exactly as it was written.
 */

/** The parts of a CREATE TABLE body, split at top-level commas. */
export function tableParts(createSql: string): string[] {
  const open = createSql.indexOf('(')
  const close = createSql.lastIndexOf(')')
  if (open < 0 || close < open) return []
  return splitTopLevel(createSql.slice(open + 1, close))
}

function splitTopLevel(body: string): string[] {
  const parts: string[] = []
  let depth = 0
  let quote: string | undefined
  let start = 0
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!
    if (quote !== undefined) {
      if (ch === quote) quote = body[i + 1] === quote ? (i++, quote) : undefined
    } else if (ch === "'" || ch === '"' || ch === '`' || ch === '[') quote = ch === '[' ? ']' : ch
    else if (ch === '(') depth++
    else if (ch === ')') depth--
    else if (ch === ',' && depth === 0) (parts.push(body.slice(start, i).trim()), (start = i + 1))
  }
  parts.push(body.slice(start).trim())
  return parts.filter((p) => p !== '')
}

/** The text inside the parentheses that open at `from` (an index of '('), or undefined. */
function parenthesised(text: string, from: number): string | undefined {
  let depth = 0
  let quote: string | undefined
  for (let i = from; i < text.length; i++) {
    const ch = text[i]!
    if (quote !== undefined) {
      if (ch === quote) quote = undefined
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch
    else if (ch === '(') depth++
    else if (ch === ')' && --depth === 0) return text.slice(from + 1, i)
  }
  return undefined
}

/** An identifier as written (quoted or bare), unquoted. */
export function unquote(identifier: string): string {
  const q = identifier[0]
  if (q === '"' || q === '`') return identifier.slice(1, -1).replaceAll(q + q, q)
  if (q === '[') return identifier.slice(1, -1)
  return identifier
}

const IDENT = /^("(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\]|[^\s(]+)/

/** CHECK constraints of a table, table-level ones with their names. */
export function checkConstraints(createSql: string): { name: string | undefined; sql: string }[] {
  const out: { name: string | undefined; sql: string }[] = []
  for (const part of tableParts(createSql)) {
    const named = /^CONSTRAINT\s+/i.exec(part)
    let rest = part
    let name: string | undefined
    if (named) {
      rest = part.slice(named[0].length)
      const id = IDENT.exec(rest)![0]
      name = unquote(id)
      rest = rest.slice(id.length).trim()
    }
    for (let at = rest.search(/\bCHECK\s*\(/i); at >= 0; ) {
      const open = rest.indexOf('(', at)
      const body = parenthesised(rest, open)
      if (body === undefined) break
      out.push({ name: /^CHECK/i.test(rest) ? name : undefined, sql: body.trim() })
      rest = rest.slice(open + body.length + 2)
      at = rest.search(/\bCHECK\s*\(/i)
    }
  }
  return out
}

/** The expression of a generated column, or undefined. */
export function generatedExpression(createSql: string, column: string): string | undefined {
  for (const part of tableParts(createSql)) {
    const id = IDENT.exec(part)?.[0]
    if (id === undefined || unquote(id) !== column) continue
    const m = /\b(?:GENERATED\s+ALWAYS\s+)?AS\s*\(/i.exec(part.slice(id.length))
    if (!m) return undefined
    return parenthesised(part, id.length + m.index + m[0].length - 1)?.trim()
  }
  return undefined
}

/** Table-level UNIQUE and FOREIGN KEY constraints written with a name, by their columns. */
export function namedKeys(createSql: string): { kind: 'unique' | 'foreign-key'; name: string; columns: string[] }[] {
  const out: { kind: 'unique' | 'foreign-key'; name: string; columns: string[] }[] = []
  for (const part of tableParts(createSql)) {
    const named = /^CONSTRAINT\s+/i.exec(part)
    if (!named) continue
    let rest = part.slice(named[0].length)
    const id = IDENT.exec(rest)![0]
    rest = rest.slice(id.length).trim()
    const kind = /^UNIQUE\b/i.test(rest) ? 'unique' : /^FOREIGN\s+KEY\b/i.test(rest) ? 'foreign-key' : undefined
    const list = kind === undefined ? undefined : parenthesised(rest, rest.indexOf('('))
    if (kind === undefined || list === undefined) continue
    out.push({ kind, name: unquote(id), columns: splitTopLevel(list).map((c) => unquote(c.trim().split(/\s+/)[0]!)) })
  }
  return out
}
