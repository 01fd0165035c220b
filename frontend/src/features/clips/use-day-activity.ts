import { useMemo } from 'react';
import { dayBounds } from '../../lib/time';
import { useActivityRow } from '../activity/use-activity-row';
import { dayActivityQuery } from './clip-activity';

/**
 * The day's motion, one bucket a minute, in one /activity request (the clips
 * slice it): up to `asOfMs` for today, so it is reloaded with the clip grid.
 */
export function useDayActivity(camera: string | undefined, day: string, asOfMs: number) {
  const query = useMemo(() => {
    const { startMs, endMs } = dayBounds(day);
    return asOfMs > startMs ? dayActivityQuery(startMs, endMs, asOfMs) : null;
  }, [day, asOfMs]);
  return useActivityRow(camera, query, null);
}
