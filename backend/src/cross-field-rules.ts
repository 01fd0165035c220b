/**
 * Rules between request fields that JSON Schema cannot state ("to after from", "at most 31 days",
 * "buckets at most the seconds of the range"). The OpenAPI document carries them twice from the
 * same objects: as a sentence in the operation's description, for people, and as the
 * `x-cross-field-rules` extension, for tools (the contract fuzzer builds valid requests from it
 * and breaks each rule on purpose). The handlers enforce them with their own checks; the fuzzer
 * is what proves the two agree.
 */

/** A limit that is a server setting: any value from `least` to `most` seconds, so clients can rely on `least`. */
export interface SettingLimit {
  setting: string;
  leastSeconds: number;
  mostSeconds: number;
  defaultSeconds: number;
}

export type CrossFieldRule =
  /** `field` is a time strictly after `after`, by at least minSeconds (if given) and at most maxSeconds. */
  | { rule: 'after'; field: string; after: string; minSeconds?: number; maxSeconds: number | SettingLimit }
  /** `field` (a count; its default when absent) is at most the seconds from `from` to `to`. */
  | { rule: 'atMostSecondsBetween'; field: string; from: string; to: string }
  /** `field` (a time) plus `plusMinutes` minutes (its default when absent) is at most `latest` (unix seconds text). */
  | { rule: 'endsBy'; field: string; plusMinutes: string; latest: string; latestIso: string }
  /** `field` is a rectangle x,y,w,h with w, h above 0 and x + w, y + h at most 1 (plus `slack` for rounding). */
  | { rule: 'insideUnitSquare'; field: string; slack: number };

export const CROSS_FIELD_RULES_KEY = 'x-cross-field-rules';

function duration(seconds: number): string {
  if (seconds % 86_400 === 0) return `${seconds / 86_400} day${seconds === 86_400 ? '' : 's'}`;
  if (seconds % 3_600 === 0) return `${seconds / 3_600} hour${seconds === 3_600 ? '' : 's'}`;
  if (seconds % 60 === 0) return `${seconds / 60} minute${seconds === 60 ? '' : 's'}`;
  return `${seconds} s`;
}

function describeRule(rule: CrossFieldRule): string {
  switch (rule.rule) {
    case 'after': {
      const least = rule.minSeconds ? ` by at least ${duration(rule.minSeconds)}` : '';
      const most =
        typeof rule.maxSeconds === 'number'
          ? duration(rule.maxSeconds)
          : `${rule.maxSeconds.setting} (a server setting from ${duration(rule.maxSeconds.leastSeconds)} to ${duration(rule.maxSeconds.mostSeconds)}, default ${duration(rule.maxSeconds.defaultSeconds)})`;
      return `\`${rule.field}\` must be after \`${rule.after}\`${least}, and at most ${most} later`;
    }
    case 'atMostSecondsBetween':
      return `\`${rule.field}\` (its default too, when absent) must be at most the number of seconds from \`${rule.from}\` to \`${rule.to}\`: a bucket is at least 1 s`;
    case 'endsBy':
      return `\`${rule.field}\` + \`${rule.plusMinutes}\` minutes (its default too, when absent) must not pass ${rule.latestIso}, the last time InfluxDB can store`;
    case 'insideUnitSquare':
      return `\`${rule.field}\` must lie inside the picture: w and h above 0, x + w and y + h at most 1 (${rule.slack} allowed for rounding)`;
  }
}

/** The operation's description with its rules appended as one sentence each; violating one is a 400. */
export function withRules(description: string, rules: readonly CrossFieldRule[]): string {
  if (rules.length === 0) return description;
  const sentences = rules.map((rule) => `${describeRule(rule)}.`).join(' ');
  return `${description}${description ? '\n\n' : ''}Cross-field rules (400 when broken): ${sentences}`;
}
