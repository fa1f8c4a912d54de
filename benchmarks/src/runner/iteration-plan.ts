/**
 * Everything about one scenario iteration that is not the timed call itself: the arguments the
 * contender receives, the result it must return, and — for write scenarios — the database-side
 * check and cleanup the harness runs afterwards (untimed).
 */
import type { ScenarioId } from '../types.js';
import type { SqlClient } from '../db/sql-client.js';
import { cleanupInsert, restoreUpdate, verifyInsert, verifyUpdate } from '../db/write-checks.js';
import {
  EDIT_SUFFIX,
  expectedTally,
  insertStamp,
  newAuthors,
  pkLookupIds,
  webPagePatterns,
  STREAM_BATCH,
  type ScenarioSizes,
} from '../workload/scenarios.js';
import type { TallySummary } from '../workload/tally.js';

export interface IterationPlan {
  args: unknown[];
  expected: TallySummary;
  /** Untimed: verify the database state, then restore the seed state. Returns a problem or null. */
  after?: (admin: SqlClient) => Promise<string | null>;
}

/** Builds plans for one scenario on one seeded size; the expected tally is computed once. */
export class IterationPlanner {
  private readonly scenario: ScenarioId;
  private readonly authors: number;
  private readonly sizes: ScenarioSizes;
  private readonly expected: TallySummary;
  private readonly fixedArgs: unknown[];

  constructor(scenario: ScenarioId, authors: number, sizes: ScenarioSizes) {
    this.scenario = scenario;
    this.authors = authors;
    this.sizes = sizes;
    this.expected = expectedTally(scenario, authors, sizes);
    this.fixedArgs =
      scenario === 'web-page'
        ? [webPagePatterns(sizes.webPages)]
        : scenario === 'pk-lookups'
          ? [pkLookupIds(sizes.pkLookups, authors)]
          : scenario === 'update-dirty'
            ? [Math.min(sizes.updateAuthors, authors), EDIT_SUFFIX]
            : scenario === 'stream'
              ? [STREAM_BATCH]
              : [];
  }

  plan(round: number, contenderIndex: number): IterationPlan {
    if (this.scenario === 'uow-insert') {
      const stamp = insertStamp(round, contenderIndex);
      const batch = newAuthors(Math.min(this.sizes.insertAuthors, this.authors), stamp);
      return {
        args: [batch],
        expected: this.expected,
        after: async (admin) => {
          try {
            return await verifyInsert(admin, stamp, batch);
          } finally {
            await cleanupInsert(admin, stamp);
          }
        },
      };
    }
    if (this.scenario === 'update-dirty') {
      const count = this.fixedArgs[0] as number;
      return {
        args: this.fixedArgs,
        expected: this.expected,
        after: async (admin) => {
          try {
            return await verifyUpdate(admin, count);
          } finally {
            await restoreUpdate(admin);
          }
        },
      };
    }
    return { args: this.fixedArgs, expected: this.expected };
  }
}
