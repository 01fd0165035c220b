import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Frame,
  findNearest,
  type NsRange,
  pickCloser,
  ringFor,
  SEARCH_RADII_NS,
  type SidesRequest,
  searchRadii,
  WHOLE_RING_NS,
} from './nearest.js';

const S = 1_000_000_000n;
const frame = (timeNs: bigint, camera = 'cam1'): Frame => ({ camera, location: 'lab', timeNs, filepath: `${timeNs}` });

/** A fake index over an in-memory list that answers exactly like the two Flux selectors. */
function fakeIndex(times: bigint[]) {
  const sorted = [...times].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const calls: SidesRequest[] = [];
  const inRange = (r: NsRange) => sorted.filter((t) => t >= r.startNs && t < r.stopNs);
  const findSides = async (request: SidesRequest) => {
    calls.push(request);
    const before = request.before ? inRange(request.before).at(-1) : undefined;
    const after = request.after ? inRange(request.after)[0] : undefined;
    return { before: before === undefined ? null : frame(before), after: after === undefined ? null : frame(after) };
  };
  return { findSides, calls };
}

/** Brute force with the tie rule: smallest distance, then the earlier frame. */
function bruteForce(times: bigint[], t: bigint, within?: bigint) {
  let best: { timeNs: bigint; distanceNs: bigint } | null = null;
  for (const time of times) {
    const distanceNs = time > t ? time - t : t - time;
    if (within !== undefined && distanceNs > within) continue;
    if (!best || distanceNs < best.distanceNs || (distanceNs === best.distanceNs && time < best.timeNs)) {
      best = { timeNs: time, distanceNs };
    }
  }
  return best;
}

describe('ringFor', () => {
  it('covers before distances (0, D] and after distances [0, D] in half-open ranges', () => {
    expect(ringFor(100n * S, 60n * S, -1n)).toEqual({
      before: { startNs: 40n * S, stopNs: 100n * S },
      after: { startNs: 100n * S, stopNs: 160n * S + 1n },
    });
  });
  it('searches only the new ring after a step', () => {
    expect(ringFor(10_000n * S, 3_600n * S, 60n * S)).toEqual({
      before: { startNs: 6_400n * S, stopNs: 9_940n * S },
      after: { startNs: 10_060n * S + 1n, stopNs: 13_600n * S + 1n },
    });
  });
  it('never reaches before 1970', () => {
    expect(ringFor(30n * S, 60n * S, -1n).before).toEqual({ startNs: 0n, stopNs: 30n * S });
    expect(ringFor(0n, 60n * S, -1n).before).toBeUndefined();
  });
});

describe('searchRadii', () => {
  it('stops at within, and caps at 100 years', () => {
    expect(searchRadii(1n * S)).toEqual([1n * S]);
    expect(searchRadii(5n * S)).toEqual([WHOLE_RING_NS, 5n * S]);
    expect(searchRadii(7_200n * S)).toEqual([WHOLE_RING_NS, 60n * S, 3_600n * S, 7_200n * S]);
    expect(searchRadii()).toEqual([WHOLE_RING_NS, ...SEARCH_RADII_NS]);
    expect(searchRadii(10n ** 30n)).toEqual([WHOLE_RING_NS, ...SEARCH_RADII_NS]);
  });

  it('reads only the first ring whole, and only when both sides exist', () => {
    expect(ringFor(100n * S, WHOLE_RING_NS, -1n).whole).toBe(true);
    expect(ringFor(100n * S, 60n * S, WHOLE_RING_NS).whole).toBeUndefined();
    expect(ringFor(0n, WHOLE_RING_NS, -1n)).toEqual({ after: { startNs: 0n, stopNs: WHOLE_RING_NS + 1n } });
  });
});

describe('pickCloser', () => {
  it('gives ties to the earlier frame and exact matches distance 0', () => {
    expect(pickCloser(10n, frame(8n), frame(12n))?.frame.timeNs).toBe(8n);
    expect(pickCloser(10n, frame(8n), frame(11n))?.frame.timeNs).toBe(11n);
    expect(pickCloser(10n, frame(9n), frame(10n))).toEqual({ frame: frame(10n), distanceNs: 0n });
    expect(pickCloser(10n, null, null)).toBeNull();
  });
});

describe('findNearest', () => {
  it('answers from the first ring in one call when a frame is near', async () => {
    const fake = fakeIndex([100n * S, 101n * S]);
    expect((await findNearest(fake.findSides, 100n * S + 600_000_000n))?.frame.timeNs).toBe(101n * S);
    expect(fake.calls).toHaveLength(1);
  });

  it('widens across a multi-day gap', async () => {
    const fake = fakeIndex([1_000n * S, 1_000n * S + 5n * 86_400n * S]);
    const t = 1_000n * S + 2n * 86_400n * S;
    expect((await findNearest(fake.findSides, t))?.frame.timeNs).toBe(1_000n * S);
    expect(fake.calls.length).toBe(5); // 2 s whole, 1 min, 1 h, 1 d, 30 d
  });

  it('finds the closer frame just beyond the ring where the other side found one', async () => {
    // after-side frame at 59 s; before-side frame at 58.5 s: both inside the first ring.
    const t = 10_000n * S;
    const fake = fakeIndex([t - 58_500_000_000n, t + 59n * S]);
    expect((await findNearest(fake.findSides, t))?.frame.timeNs).toBe(t - 58_500_000_000n);
    // after at 61 s (second ring), before at 3599 s: after wins, before side was searched to 3600 s.
    const fake2 = fakeIndex([t - 3_599n * S, t + 61n * S]);
    expect((await findNearest(fake2.findSides, t))?.frame.timeNs).toBe(t + 61n * S);
  });

  it('honours within inclusively, and returns null past it', async () => {
    const fake = fakeIndex([100n * S]);
    expect((await findNearest(fake.findSides, 130n * S, 30n * S))?.distanceNs).toBe(30n * S);
    expect(await findNearest(fake.findSides, 130n * S + 1n, 30n * S)).toBeNull();
  });

  it('returns null for an empty index after at most the capped schedule', async () => {
    const fake = fakeIndex([]);
    expect(await findNearest(fake.findSides, 1_795_618_800n * S)).toBeNull();
    expect(fake.calls.length).toBe(SEARCH_RADII_NS.length + 1);
  });

  it('equals a brute-force arg-min for random data (property)', async () => {
    const day = 86_400n * S;
    // Spread over 40 days, and clustered within minutes of one moment, so every ring size gets exercised.
    const time = fc.oneof(
      fc.bigInt({ min: 0n, max: 40n * day }),
      fc.bigInt({ min: 20n * day - 200n * S, max: 20n * day + 200n * S }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(time, { maxLength: 60 }),
        time,
        fc.option(fc.bigInt({ min: 0n, max: 2n * day }), { nil: undefined }),
        async (times, t, within) => {
          const fake = fakeIndex(times);
          const got = await findNearest(fake.findSides, t, within);
          const want = bruteForce(times, t, within);
          expect(got && { timeNs: got.frame.timeNs, distanceNs: got.distanceNs }).toEqual(want);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
