// Waiting in turns between requesters: what the hashing queue (password.ts) and the store's login
// reservations (lib/db/prisma-store.ts) both do, so that a flood from one address waits behind its own
// backlog while anyone else's attempt waits for one of each other requester's at most.

/** Items waiting per requester; the next one is the first requester's, which then goes to the back of the line. */
export class RequesterTurns<T> {
  /** In the order the requesters take turns (a Map keeps insertion order). */
  private readonly queues = new Map<string, T[]>();
  private count = 0;

  /** Items waiting, all requesters together. */
  get length(): number {
    return this.count;
  }

  push(requester: string, item: T): void {
    const items = this.queues.get(requester);
    if (items) items.push(item);
    else this.queues.set(requester, [item]);
    this.count++;
  }

  /** The next item in turn. */
  shift(): T | undefined {
    const first = this.queues.entries().next();
    if (first.done) return undefined;
    const [requester, items] = first.value;
    const item = items.shift()!;
    this.queues.delete(requester);
    if (items.length > 0) this.queues.set(requester, items);
    this.count--;
    return item;
  }

  /**
   * Items that go before a new one of `requester`: its own backlog and, meanwhile, as many of each other
   * requester's (or all they have, if fewer).
   */
  ahead(requester: string): number {
    const own = this.queues.get(requester)?.length ?? 0;
    let ahead = own;
    for (const [other, items] of this.queues) if (other !== requester) ahead += Math.min(items.length, own + 1);
    return ahead;
  }
}
