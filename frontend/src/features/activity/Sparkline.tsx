import { formatMotionPercent } from '../../api/activity';
import { formatHourMinute } from '../../lib/time';
import type { ClipActivity } from '../clips/clip-activity';
import { heatColor, motionLevel } from './activity-math';

const HEIGHT = 10;

/**
 * A clip's motion over its minutes, as small bars (log scale) coloured like the
 * activity strip, minutes without footage dark, and the minimum that counts as a
 * dashed line.
 */
export function Sparkline({ activity, min }: { activity: ClipActivity; min: number }) {
  const n = activity.max.length;
  const label =
    activity.peak === null
      ? 'No motion measured'
      : activity.peak === 0
        ? 'No motion'
        : `Peak motion ${formatMotionPercent(activity.peak)}${
            activity.peakMs !== null ? ` at ${formatHourMinute(activity.peakMs)}` : ''
          }`;
  const threshold = HEIGHT - HEIGHT * motionLevel(min);
  return (
    <svg
      className="sparkline"
      viewBox={`0 0 ${n} ${HEIGHT}`}
      preserveAspectRatio="none"
      role="img"
      aria-label={label}
      data-testid="clip-sparkline"
      data-peak={activity.peak ?? ''}
      data-buckets={n}
    >
      <title>{label}</title>
      {activity.max.map((max, i) => {
        const x = i;
        const key = activity.startsMs[i] ?? i;
        if ((activity.coverage[i] ?? 0) === 0) {
          return <rect key={key} className="spark-gap" x={x} y={0} width={1} height={HEIGHT} />;
        }
        const color = heatColor(max, { belowMin: max !== null && max < min });
        if (!color || max === null) return null;
        const h = 1.5 + (HEIGHT - 1.5) * motionLevel(max);
        return <rect key={key} x={x + 0.08} y={HEIGHT - h} width={0.84} height={h} fill={color} />;
      })}
      <line className="spark-min" x1={0} x2={n} y1={threshold} y2={threshold} vectorEffect="non-scaling-stroke" />
    </svg>
  );
}
