import type { RestreamTarget } from '../../api/cameras';

/** The badge's colour: one per state the feed-handler reports, `other` for any state added later. */
export type RestreamTone = 'live' | 'starting' | 'failing' | 'off' | 'other';

export interface RestreamBadge {
  tone: RestreamTone;
  /** What the badge says: "● live 12 min", "failing: publish refused (check the stream key)", "off". */
  text: string;
  /** The tooltip: the target, its state and reason, bytes sent and restarts. */
  title: string;
}

const TONES: Record<string, RestreamTone> = { live: 'live', starting: 'starting', failing: 'failing', off: 'off' };

/** Time live, coarse enough not to tick on every poll past the first minute: "45 s", "12 min", "3 h 5 min", "4 days". */
export function formatUptime(seconds: number): string {
  const whole = Math.max(0, Math.floor(seconds));
  if (whole < 60) return `${whole} s`;
  const minutes = Math.floor(whole / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

/** "0 B", "950 B", "12.3 kB", "1.2 GB" (powers of 1000, as network traffic is counted). */
export function formatBytesSent(bytes: number): string {
  if (bytes < 1000) return `${Math.max(0, Math.round(bytes))} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  // 999.5 and up would print as "1000": it is the next unit's 1.0.
  while (value >= 999.5 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/**
 * The feed-handler prefixes a reason with where it failed; on a target's own badge
 * "target: " says nothing, while "camera: …" (the camera failed, not the server) does.
 */
function shownReason(reason: string): string {
  return reason.replace(/^target: /, '');
}

export function restreamBadge(target: RestreamTarget): RestreamBadge {
  const tone = TONES[target.state] ?? 'other';
  const reason = target.reason ? shownReason(target.reason) : null;
  let text: string;
  switch (tone) {
    case 'live':
      text = `● live ${formatUptime(target.uptimeSeconds)}`;
      break;
    case 'starting':
      text = 'starting…';
      break;
    case 'failing':
      text = reason ? `failing: ${reason}` : 'failing';
      break;
    default:
      text = target.state;
  }
  const facts = [
    `${formatBytesSent(target.bytesSent)} sent`,
    `${target.restarts} ${target.restarts === 1 ? 'restart' : 'restarts'}`,
  ];
  const title = `Restream ${target.name}: ${target.state}${target.reason ? ` (${target.reason})` : ''}; ${facts.join(', ')}`;
  return { tone, text, title };
}
