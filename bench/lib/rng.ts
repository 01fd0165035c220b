/**
 * A seeded PRNG (mulberry32), so every run asks for the same random moments and two
 * runs are comparable, while the moments are still spread over the whole data set
 * (a fixed ts would be answered from InfluxDB's caches and measure nothing).
 */
export type Random = () => number;

export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A whole number in [min, max). */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min));
}
