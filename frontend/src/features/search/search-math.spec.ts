import { describe, expect, it } from 'vitest';
import { dayOf } from '../../lib/time';
import {
  boxStyle,
  DEFAULT_SEARCH_RANGE,
  emptyResultText,
  formatScore,
  formatSeenFor,
  formatSeenRange,
  isSearchRangeKey,
  normaliseSearchText,
  resultSummary,
  SEARCH_RANGE_LABELS,
  searchWindow,
  splitCameraPhrase,
} from './search-math';

const HOUR = 3_600_000;
const DAY = 86_400_000;
const NOW = Date.UTC(2026, 10, 25, 15, 7, 30, 250);

describe('ranges', () => {
  it('end at now and reach back the range', () => {
    expect(searchWindow('1h', NOW)).toEqual({ fromMs: NOW - HOUR, toMs: NOW });
    expect(searchWindow('24h', NOW)).toEqual({ fromMs: NOW - DAY, toMs: NOW });
    expect(searchWindow('7d', NOW)).toEqual({ fromMs: NOW - 7 * DAY, toMs: NOW });
    expect(searchWindow('30d', NOW)).toEqual({ fromMs: NOW - 30 * DAY, toMs: NOW });
    expect(searchWindow('1h', NOW + 0.6)).toEqual({ fromMs: NOW - HOUR, toMs: NOW });
  });

  it('are known by key, the last 24 h by default, and said in words', () => {
    expect(DEFAULT_SEARCH_RANGE).toBe('24h');
    expect(['1h', '24h', '7d', '30d'].every(isSearchRangeKey)).toBe(true);
    expect(isSearchRangeKey('2d')).toBe(false);
    expect(isSearchRangeKey('toString')).toBe(false);
    expect(SEARCH_RANGE_LABELS).toEqual({
      '1h': 'last hour',
      '24h': 'last 24 h',
      '7d': 'last 7 days',
      '30d': 'last 30 days',
    });
  });
});

describe('the search text', () => {
  const cameras = [
    { id: 'back-door', location: 'garden' },
    { id: 'cam2', location: 'Front Drive' },
    { id: 'yard', location: null },
  ];

  it('is tidied', () => {
    expect(normaliseSearchText('  dogs \n and   cats ')).toBe('dogs and cats');
    expect(normaliseSearchText('x'.repeat(250))).toHaveLength(200);
  });

  it('picks a camera named at its end, by id or place', () => {
    expect(splitCameraPhrase('people at the back door', cameras)).toEqual({ words: 'people', camera: 'back-door' });
    expect(splitCameraPhrase('People AT back-door', cameras)).toEqual({ words: 'People', camera: 'back-door' });
    expect(splitCameraPhrase('cars on the front drive', cameras)).toEqual({ words: 'cars', camera: 'cam2' });
    expect(splitCameraPhrase('dogs and cats in the garden', cameras)).toEqual({
      words: 'dogs and cats',
      camera: 'back-door',
    });
    expect(splitCameraPhrase('cats by yard', cameras)).toEqual({ words: 'cats', camera: 'yard' });
  });

  it('leaves anything else as typed, for the API to understand or refuse', () => {
    expect(splitCameraPhrase('people', cameras)).toEqual({ words: 'people' });
    expect(splitCameraPhrase('people at the side gate', cameras)).toEqual({ words: 'people at the side gate' });
    expect(splitCameraPhrase('at the back door', cameras)).toEqual({ words: 'at the back door' });
    expect(splitCameraPhrase('traffic light', cameras)).toEqual({ words: 'traffic light' });
    expect(splitCameraPhrase('people at the back door', [])).toEqual({ words: 'people at the back door' });
  });
});

describe('an appearance in words', () => {
  // Built from local times, so these hold in any zone the tests run in.
  const at = (h: number, m: number, s: number, day = 25) => new Date(2026, 10, day, h, m, s).getTime();
  const today = dayOf(at(12, 0, 0));

  it('says when it was seen in local time, with the day when it is not today', () => {
    expect(formatSeenRange(at(14, 3, 7), at(14, 3, 26), today)).toBe('14:03:07–14:03:26');
    expect(formatSeenRange(at(14, 3, 7), at(14, 3, 7), today)).toBe('14:03:07');
    expect(formatSeenRange(at(9, 0, 0, 24), at(9, 1, 0, 24), today)).toBe('2026-11-24 09:00:00–09:01:00');
    expect(formatSeenRange(at(23, 59, 50, 24), at(0, 0, 10), today)).toBe('2026-11-24 23:59:50–2026-11-25 00:00:10');
  });

  it('says how many frames over how long', () => {
    expect(formatSeenFor(at(14, 3, 7), at(14, 3, 7), 1)).toBe('1 frame');
    expect(formatSeenFor(at(14, 3, 7), at(14, 3, 26), 20)).toBe('20 frames over 20 s');
    expect(formatSeenFor(at(14, 3, 0), at(14, 5, 4), 90)).toBe('90 frames over 2 min 5 s');
  });

  it('gives the score as a whole percentage', () => {
    expect(formatScore(0.914)).toBe('91 %');
    expect(formatScore(0.5)).toBe('50 %');
    expect(formatScore(1)).toBe('100 %');
    expect(formatScore(1.2)).toBe('100 %');
  });

  it('places the box over the picture in fractions of it', () => {
    expect(boxStyle([0.1, 0.2, 0.35, 0.9])).toEqual({ left: '10%', top: '20%', width: '25%', height: '70%' });
    expect(boxStyle([0, 0, 1, 1])).toEqual({ left: '0%', top: '0%', width: '100%', height: '100%' });
    // Corners the wrong way round, or outside the picture, still make a box inside it.
    expect(boxStyle([0.6, 0.9, 0.2, 0.5])).toEqual({ left: '20%', top: '50%', width: '40%', height: '40%' });
    expect(boxStyle([-0.1, 0.5, 1.3, Number.NaN])).toEqual({ left: '0%', top: '0%', width: '100%', height: '50%' });
    expect(boxStyle([1 / 3, 0, 2 / 3, 0.12345])).toEqual({
      left: '33.333%',
      top: '0%',
      width: '33.333%',
      height: '12.345%',
    });
  });

  it('says an empty answer and a full one plainly', () => {
    expect(emptyResultText('people', '24h')).toBe('No people seen in the last 24 h');
    expect(emptyResultText('car, truck', '1h', 'yard')).toBe('No car, truck seen on yard in the last hour');
    expect(resultSummary(1, ['person'])).toBe('1 appearance of person');
    expect(resultSummary(3, ['car', 'truck', 'bus'])).toBe('3 appearances of car, truck or bus');
  });
});
