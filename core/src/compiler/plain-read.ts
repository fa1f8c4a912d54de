/**
 * Which SELECTs only read. A statement compiled without any of the things below is a "plain
 * read" (CompiledStatement.plainRead): run on its own, outside the transaction the session has
 * begun, it sees at READ COMMITTED exactly what it would see inside it and changes nothing, so a
 * driver may run it ahead of that transaction's pending BEGIN (PostgreSQL: a read-only session
 * then sends no BEGIN and no ROLLBACK at all).
 *
 * What makes a statement not plain, because it could write, lock or set something whose life is
 * the transaction's: a locking clause (FOR UPDATE / FOR SHARE), a function not known to be pure
 * (a user function may write; `set_config(…, true)` and `pg_advisory_xact_lock()` last until the
 * transaction ends), SQL text the compiler cannot see into (`text()`, `literalColumn()`), a node
 * only a dialect knows, and DML anywhere in it (a data-modifying CTE).
 */

/**
 * Functions that read their arguments and nothing else (lower-case names): aggregates, string,
 * number and date arithmetic, JSON building. Anything else keeps the statement in the
 * transaction. Add a name only if the function cannot write, lock or set anything.
 */
export const PURE_FUNCTIONS: ReadonlySet<string> = new Set([
  'count', 'sum', 'avg', 'min', 'max', 'bool_and', 'bool_or', 'every', 'array_agg', 'string_agg', 'group_concat', 'json_agg', 'jsonb_agg',
  'json_object_agg', 'jsonb_object_agg', 'json_arrayagg', 'json_objectagg', 'stddev', 'stddev_pop', 'stddev_samp', 'variance', 'var_pop', 'var_samp',
  'coalesce', 'nullif', 'greatest', 'least', 'ifnull',
  'lower', 'upper', 'length', 'char_length', 'character_length', 'octet_length', 'trim', 'ltrim', 'rtrim', 'btrim', 'substr', 'substring',
  'concat', 'concat_ws', 'replace', 'left', 'right', 'lpad', 'rpad', 'position', 'strpos', 'instr', 'reverse', 'repeat', 'split_part', 'initcap',
  'abs', 'round', 'floor', 'ceil', 'ceiling', 'trunc', 'mod', 'power', 'pow', 'sqrt', 'exp', 'ln', 'log', 'sign',
  'now', 'current_timestamp', 'current_date', 'date_trunc', 'date_part', 'extract', 'to_char', 'to_date', 'to_timestamp', 'age', 'make_date',
  'date_format', 'strftime', 'from_unixtime', 'julianday', 'unixepoch', 'datetime', 'date', 'time',
  'locate', 'regexp_replace', 'format', 'md5', 'iif', 'pi', 'truncate', 'random', 'rand', 'gen_random_uuid', 'uuid', 'unnest', 'generate_series',
  'jsonb_typeof', 'json_typeof',
  'json_build_object', 'jsonb_build_object', 'json_build_array', 'jsonb_build_array', 'json_object', 'json_array', 'to_json', 'to_jsonb',
  'json_extract', 'json_value', 'json_query', 'jsonb_extract_path', 'jsonb_extract_path_text', 'json_extract_path', 'json_extract_path_text',
  'row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile', 'lag', 'lead', 'first_value', 'last_value', 'nth_value',
])
