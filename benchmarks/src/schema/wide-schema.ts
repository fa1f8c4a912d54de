/**
 * A deterministic schema of N tables shaped like a real application's: every table has an
 * integer key, five to nine columns of mixed types (strings of several lengths, numerics, dates,
 * booleans, text, JSON, a named enum on every tenth), server defaults, one or two foreign keys to
 * earlier tables, an index, a unique constraint on some, a composite key on every seventh and a
 * check on every fifth.
 */
import {
  BigInteger, Boolean as Bool, CheckConstraint, DateTime, DateType, Enum, ForeignKey, ForeignKeyConstraint, Index, Integer, JSON as Json,
  MetaData, Numeric, PrimaryKeyConstraint, String as Str, Table, Text, UniqueConstraint, column, sqlDefault,
  type ColumnSpec,
} from '@athanor/core';

export const WIDE_PREFIX = 'ws_';

const name = (i: number): string => `${WIDE_PREFIX}t${String(i).padStart(3, '0')}`;

/** The MetaData of `count` tables named ws_t000 … */
export function wideSchema(count: number): MetaData {
  const md = new MetaData();
  for (let i = 0; i < count; i++) {
    const composite = i % 7 === 6;
    const columns: Record<string, ColumnSpec<unknown>> = composite
      ? { id: column(Integer), part: column(Integer) }
      : { id: column(Integer, { primaryKey: true }) };
    columns.title = column(Str(40 + (i % 5) * 20));
    columns.amount = column(Numeric(12, 2), { serverDefault: 0 });
    columns.created = column(DateTime(), { serverDefault: sqlDefault('CURRENT_TIMESTAMP') });
    columns.active = column(Bool, { serverDefault: true });
    if (i % 2 === 0) columns.notes = column(Text, { nullable: true });
    if (i % 3 === 0) columns.payload = column(Json<unknown>(), { nullable: true });
    if (i % 4 === 0) columns.due = column(DateType, { nullable: true });
    if (i % 10 === 0) columns.state = column(Enum(['new', 'open', 'closed'] as const, { name: `${WIDE_PREFIX}state_${i}` }), { serverDefault: 'new' });
    if (i % 11 === 0) columns.big = column(BigInteger, { nullable: true });
    const constraints = [];
    // Keys to earlier non-composite tables (every seventh table has a composite key).
    const parents = [i - 1, Math.floor(i / 2)].filter((p, k, all) => p >= 0 && p % 7 !== 6 && all.indexOf(p) === k);
    parents.forEach((p, k) => {
      columns[`ref${k}_id`] = column(Integer, ForeignKey(`${name(p)}.id`, { onDelete: k === 0 ? 'CASCADE' : 'SET NULL' }), { nullable: k > 0 });
    });
    if (composite) constraints.push(new PrimaryKeyConstraint(['id', 'part']));
    constraints.push(new Index(`ix_${name(i)}_title`, ['title', 'created']));
    if (i % 3 === 1) constraints.push(new UniqueConstraint(['title'], { name: `uq_${name(i)}_title` }));
    if (i % 5 === 0) constraints.push(new CheckConstraint('amount >= 0', { name: `ck_${name(i)}_amount` }));
    if (i > 7 && i % 7 === 0) {
      // A composite foreign key to the previous composite-key table.
      columns.link_id = column(Integer, { nullable: true });
      columns.link_part = column(Integer, { nullable: true });
      constraints.push(new ForeignKeyConstraint(['link_id', 'link_part'], [`${name(i - 1)}.id`, `${name(i - 1)}.part`], { name: `fk_${name(i)}_link` }));
    }
    new Table(name(i), md, columns, ...constraints);
  }
  return md;
}
