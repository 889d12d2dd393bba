/** A FIFO queue with O(1) push and shift (an array and a head index, compacted as it drains). */
export class Queue<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }
  push(x: T): void {
    this.items.push(x);
  }
  /** The first item, or undefined when empty. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const x = this.items[this.head];
    this.items[this.head++] = undefined;
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return x;
  }
  /** Drop the items `live` says no to, keeping the order (O(length)). */
  prune(live: (x: T) => boolean): void {
    const kept: T[] = [];
    for (let i = this.head; i < this.items.length; i++) {
      const x = this.items[i] as T;
      if (live(x)) kept.push(x);
    }
    this.items = kept;
    this.head = 0;
  }
  /**
   * Put `x` where it sorts in a queue in order (`later(y)`: y goes after x): O(1) amortized at
   * either end — inserts in order, or in reverse (the front gets room, as much as there are items)
   * — else a scan from the back and a splice.
   */
  insert(x: T, later: (y: T) => boolean): void {
    let i = this.items.length;
    if (this.head < i && later(this.items[this.head] as T)) {
      if (this.head === 0) {
        this.items = new Array(i + 16).concat(this.items);
        this.head = i + 16;
      }
      this.items[--this.head] = x;
      return;
    }
    while (i > this.head && later(this.items[i - 1] as T)) i--;
    this.items.splice(i, 0, x);
  }
}
