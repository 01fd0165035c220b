/**
 * Which camera count to measure next: up the list until one fails, then (optionally) a
 * bisection or two between the largest that passed and the smallest that failed.
 */
export interface SweepState {
  /** Camera count → sustained. */
  tested: ReadonlyMap<number, boolean>;
}

export function largestSustained(tested: ReadonlyMap<number, boolean>): number {
  const firstFail = smallestFailure(tested);
  let best = 0;
  for (const [n, ok] of tested) if (ok && n > best && (firstFail === undefined || n < firstFail)) best = n;
  return best;
}

function smallestFailure(tested: ReadonlyMap<number, boolean>): number | undefined {
  let smallest: number | undefined;
  for (const [n, ok] of tested) if (!ok && (smallest === undefined || n < smallest)) smallest = n;
  return smallest;
}

export function nextCameraCount(
  list: readonly number[],
  tested: ReadonlyMap<number, boolean>,
  refineSteps: number,
): number | null {
  const firstFail = smallestFailure(tested);
  if (firstFail === undefined) return [...list].sort((a, b) => a - b).find((n) => !tested.has(n)) ?? null;
  const refined = [...tested.keys()].filter((n) => !list.includes(n)).length;
  const pass = largestSustained(tested);
  if (refined >= refineSteps || firstFail - pass <= 1) return null;
  const middle = Math.floor((pass + firstFail) / 2);
  return middle > pass && !tested.has(middle) ? middle : null;
}
