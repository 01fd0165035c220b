import { COCO_LABELS, LABEL_SYNONYMS } from '@fathom/index-contract';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KNOWN_WORDS, LABEL_WORDS_MAX_LENGTH, LABEL_WORDS_PATTERN, readLabelWords } from './label-words.js';

const ok = (text: string) => {
  const parsed = readLabelWords(text);
  if (!parsed.ok) throw new Error(`${text}: ${parsed.detail}`);
  return parsed.value;
};
const detail = (text: string) => {
  const parsed = readLabelWords(text);
  if (parsed.ok) throw new Error(`${text} was taken`);
  return parsed.detail;
};

describe('readLabelWords', () => {
  it('maps plain words and labels through the contract', () => {
    expect(ok('people')).toEqual({ words: ['people'], labels: ['person'] });
    expect(ok('car,truck')).toEqual({ words: ['car', 'truck'], labels: ['car', 'truck'] });
    expect(ok('traffic light')).toEqual({ words: ['traffic light'], labels: ['traffic light'] });
    expect(ok('people and dogs')).toEqual({ words: ['people', 'dogs'], labels: ['person', 'dog'] });
    expect(ok('vehicle').labels).toEqual(['car', 'motorcycle', 'bus', 'truck']);
    expect(ok('People + CARS')).toEqual({ words: ['people', 'cars'], labels: ['person', 'car'] });
    expect(ok(' the person, a dog or the cat ').labels).toEqual(['person', 'cat', 'dog']);
  });

  it('finds two-word labels next to commas and repeated, where labelsForWords alone would not', () => {
    expect(ok('car,traffic light').labels).toEqual(['car', 'traffic light']);
    expect(ok('traffic light traffic light').labels).toEqual(['traffic light']);
    expect(ok('hot dog dog').labels).toEqual(['dog', 'hot dog']);
    expect(ok('teddy   bear').labels).toEqual(['teddy bear']);
  });

  it('refuses words that name nothing, naming them and listing the known ones', () => {
    const text = detail('people and unicorns, spaceship');
    expect(text).toContain('"unicorns", "spaceship"');
    expect(text).toContain('person, bicycle, car');
    expect(text).toContain('people, persons');
    expect(detail('traffic,light')).toContain('"traffic", "light"');
  });

  it('refuses texts that name nothing at all, or hold other characters', () => {
    expect(detail('')).toMatch(/names no object/);
    expect(detail('and the')).toMatch(/names no object/);
    expect(detail('person!')).toMatch(/only letters/);
    expect(detail('car\ttruck')).toMatch(/only letters/);
    expect(detail('x'.repeat(LABEL_WORDS_MAX_LENGTH + 1))).toMatch(/longer than/);
  });

  it('knows every label and plain word of the contract', () => {
    for (const word of [...COCO_LABELS, ...Object.keys(LABEL_SYNONYMS)]) {
      expect(readLabelWords(word).ok, word).toBe(true);
      expect(LABEL_WORDS_PATTERN.test(word), word).toBe(true);
    }
    expect(KNOWN_WORDS).toContain('vehicle');
  });
});

describe('the label pattern', () => {
  /** Texts built from known words, near misses, fillers and separators: most valid, many just off. */
  const token = fc.oneof(
    fc.constantFrom(...KNOWN_WORDS, ...COCO_LABELS.filter((l) => l.includes(' '))),
    fc.constantFrom('and', 'or', 'a', 'an', 'the', 'traffic', 'light', 'hot', 'unicorn', 'Person', 'DOG', 'x1', 'é'),
  );
  const separator = fc.constantFrom(' ', ',', '+', ', ', ' , ', '  ', '\t', '-', '');
  const built = fc
    .array(fc.tuple(separator, token), { minLength: 0, maxLength: 6 })
    .chain((parts) => separator.map((end) => parts.map(([sep, word]) => sep + word).join('') + end));

  it('admits only texts the server takes', () => {
    fc.assert(
      fc.property(fc.stringMatching(LABEL_WORDS_PATTERN), (text) => {
        if (text.length > LABEL_WORDS_MAX_LENGTH) return;
        expect(readLabelWords(text).ok, text).toBe(true);
      }),
      { numRuns: 3_000 },
    );
  });

  it('agrees with the server both ways on texts of words and near misses', () => {
    fc.assert(
      fc.property(fc.oneof(built, fc.string({ maxLength: 12 })), (text) => {
        expect(readLabelWords(text).ok, JSON.stringify(text)).toBe(LABEL_WORDS_PATTERN.test(text));
      }),
      { numRuns: 5_000 },
    );
  });
});
