/** Shared by the workers tests whose pools could deadlock: fail the test rather than hang it. */

/** `p`'s outcome, or an error saying the pool deadlocked when it takes longer than `ms`. */
export async function within<T>(ms: number, p: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms: the pool deadlocked`)), ms);
  });
  try {
    return await Promise.race([p, hung]);
  } finally {
    clearTimeout(timer);
  }
}
