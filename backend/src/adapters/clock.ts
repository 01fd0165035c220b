/** The clock adapter: the only source of "now", so tests can pin it. */
export interface Clock {
  /** Epoch nanoseconds (millisecond resolution). */
  nowNs(): bigint;
}

export const systemClock: Clock = {
  nowNs: () => BigInt(Date.now()) * 1_000_000n,
};
