/**
 * The parent's jobs in flight by id, for routing what their threads send (forwarded effects). Ids
 * are consecutive, so a job sits in a ring slot by its id; a Map holds only those whose slot is
 * taken by an older job still in flight (bursts). A Map's set and delete per job cost ~70–100 ns, a
 * few % of a job run alone (its table is rebuilt as deleted entries pile up).
 */
const SLOTS = 1024;

export class JobTable<J extends { readonly id: number }> {
  private readonly ring: (J | null)[] = new Array(SLOTS).fill(null);
  private readonly more = new Map<number, J>();

  add(job: J): void {
    const i = job.id & (SLOTS - 1);
    if (this.ring[i] === null) this.ring[i] = job;
    else this.more.set(job.id, job);
  }

  delete(job: J): void {
    const i = job.id & (SLOTS - 1);
    if (this.ring[i] === job) this.ring[i] = null;
    else this.more.delete(job.id);
  }

  get(id: number): J | undefined {
    const j = this.ring[id & (SLOTS - 1)];
    return j != null && j.id === id ? j : this.more.get(id);
  }
}
