/**
 * The result check every scenario returns: how many objects it produced and an order-independent
 * checksum over their ids, string lengths and parent links.
 *
 * Why a checksum and not just counts: a contender that attaches a post to the wrong author, drops
 * a column, or fabricates rows still gets the count right, but not the sum. Why order-independent:
 * ORMs legitimately return children in different orders. Contenders walk their own result graph
 * inside the timed section, so lazy libraries cannot skip hydration either.
 */
export class Tally {
  authors = 0;
  posts = 0;
  tags = 0;
  checksum = 0;

  /** An author as loaded (or updated). */
  author(id: number, name: string): void {
    this.authors++;
    this.checksum += id + name.length;
  }

  /**
   * A post, attached to `parentAuthorId` — the author object it hangs under in the result graph
   * (or its FK value when loaded on its own), which is what proves the grouping is right.
   */
  post(id: number, title: string, content: string, parentAuthorId: number): void {
    this.posts++;
    this.checksum += id * 7 + title.length + content.length + parentAuthorId * 3;
  }

  /** A tag as seen under the post `parentPostId`. */
  tag(id: number, name: string, parentPostId: number): void {
    this.tags++;
    this.checksum += id * 11 + name.length + (parentPostId % 1000) * 13;
  }

  /** A written author (uow-insert): ids are database-generated, so only the written values count. */
  insertedAuthor(name: string, email: string): void {
    this.authors++;
    this.checksum += name.length + email.length;
  }

  insertedPost(title: string, content: string): void {
    this.posts++;
    this.checksum += title.length + content.length;
  }

  summary(): TallySummary {
    return { authors: this.authors, posts: this.posts, tags: this.tags, checksum: this.checksum };
  }
}

export interface TallySummary {
  authors: number;
  posts: number;
  tags: number;
  checksum: number;
}

/** Describes a mismatch between what a contender returned and what the workload expects, or null. */
export function compareTally(actual: TallySummary, expected: TallySummary): string | null {
  const keys = ['authors', 'posts', 'tags', 'checksum'] as const;
  const diffs = keys.filter((k) => actual[k] !== expected[k]).map((k) => `${k} ${actual[k]} ≠ expected ${expected[k]}`);
  return diffs.length === 0 ? null : diffs.join(', ');
}

/** Minimal shapes the shared graph walkers accept; contenders map their entities onto these. */
export interface AuthorLike {
  id: number;
  name: string;
}
export interface PostLike {
  id: number;
  title: string;
  content: string;
}
export interface TagLike {
  id: number;
  name: string;
}

/**
 * Tallies an authors→posts(→tags) graph. `postsOf`/`tagsOf` adapt each library's collection type
 * (arrays, MikroORM Collections, join rows) without copying.
 */
export function tallyGraph<A extends AuthorLike, P extends PostLike, T extends TagLike>(
  authors: Iterable<A>,
  postsOf: (a: A) => Iterable<P>,
  tagsOf?: (p: P) => Iterable<T>,
): Tally {
  return addGraph(new Tally(), authors, postsOf, tagsOf);
}

/** Adds a graph to a running tally (scenarios that load several pages into one result). */
export function addGraph<A extends AuthorLike, P extends PostLike, T extends TagLike>(
  t: Tally,
  authors: Iterable<A>,
  postsOf: (a: A) => Iterable<P>,
  tagsOf?: (p: P) => Iterable<T>,
): Tally {
  for (const a of authors) {
    t.author(a.id, a.name);
    for (const p of postsOf(a)) {
      t.post(p.id, p.title, p.content, a.id);
      if (tagsOf) for (const tag of tagsOf(p)) t.tag(tag.id, tag.name, p.id);
    }
  }
  return t;
}
