/**
 * Every contender the harness knows, in report order. `raw` must stay first: it is the baseline
 * every ratio is computed against. To add a contender, write contenders/<name>.ts exporting a
 * ContenderDefinition and add it here (see benchmarks/README.md).
 */
import type { ContenderDefinition } from './contender.js';
import { raw } from './raw.js';
import { rawAlt } from './raw-alt.js';
import { athanor } from './athanor.js';
import { drizzle } from './drizzle.js';
import { kysely } from './kysely.js';
import { typeorm } from './typeorm.js';
import { mikroorm } from './mikroorm.js';
import { prisma } from './prisma.js';

export const CONTENDERS: readonly ContenderDefinition[] = [raw, rawAlt, athanor, drizzle, kysely, typeorm, mikroorm, prisma];
