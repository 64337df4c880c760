/**
 * A bounded async queue from several producers to one consumer: producers wait while it is full,
 * so fast workers never make the coordinator buffer without limit.
 */

/** The channel. */
export class BoundedChannel<T> {
  private readonly items: T[] = [];
  private readonly waitingProducers: (() => void)[] = [];
  private waitingConsumer: (() => void) | null = null;
  private closedWith: { error: unknown } | null | 'done' = null;

  constructor(private readonly capacity: number) {}

  /** Adds an item, waiting while the channel is full. */
  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && this.closedWith === null) {
      await new Promise<void>((resolve) => this.waitingProducers.push(resolve));
    }
    if (this.closedWith !== null) return;
    this.items.push(item);
    this.wakeConsumer();
  }

  /** Ends the stream: normally (no error) or with an error the consumer will throw. */
  close(error?: unknown): void {
    if (this.closedWith !== null) return;
    this.closedWith = error === undefined ? 'done' : { error };
    this.wakeConsumer();
    for (const wake of this.waitingProducers.splice(0)) wake();
  }

  /** Consumes items until the channel closes. */
  async *drain(): AsyncIterable<T> {
    for (;;) {
      if (this.items.length > 0) {
        const item = this.items.shift()!;
        this.waitingProducers.shift()?.();
        yield item;
        continue;
      }
      if (this.closedWith === 'done') return;
      if (this.closedWith !== null) throw this.closedWith.error;
      await new Promise<void>((resolve) => { this.waitingConsumer = resolve; });
    }
  }

  private wakeConsumer(): void {
    const wake = this.waitingConsumer;
    this.waitingConsumer = null;
    wake?.();
  }
}
