/**
 * The `label` query of GET /detections: plain words ("people", "car,truck", "traffic light",
 * "people and dogs") to COCO labels, through the contract's labelsForWords.
 *
 * The text is split here first (groups at "," and "+", words at spaces; two adjacent words that
 * make a two-word label are one phrase), and each word or phrase goes to labelsForWords on its
 * own: labelsForWords alone finds a two-word label only between spaces, so "car,traffic light"
 * or "traffic light traffic light" would lose it.
 *
 * LABEL_WORDS_PATTERN states exactly the texts this takes (the OpenAPI document carries it, and
 * the server holds a text to it too); contract-patterns.spec.ts checks the pattern and
 * readLabelWords agree both ways.
 */
import { COCO_LABELS, type CocoLabel, LABEL_SYNONYMS, labelsForWords } from '@fathom/index-contract';
import type { Parsed } from './time-input.js';

export const LABEL_WORDS_MAX_LENGTH = 200;

/** Words that join others and mean nothing themselves (labelsForWords skips them too). */
const FILLERS = ['and', 'or', 'a', 'an', 'the'] as const;
const FILLER_SET: ReadonlySet<string> = new Set(FILLERS);
const TWO_WORD_LABELS: ReadonlySet<string> = new Set(COCO_LABELS.filter((label) => label.includes(' ')));

/** Every single word that names something: a one-word label or a plain word (labels.ts). */
export const KNOWN_WORDS: readonly string[] = [
  ...new Set([...COCO_LABELS.filter((label) => !label.includes(' ')), ...Object.keys(LABEL_SYNONYMS)]),
];

/** A word in either letter case, as a regex source: "car" -> "[cC][aA][rR]" (a JSON Schema pattern has no flags). */
const anyCase = (word: string) =>
  [...word].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c === ' ' ? ' +' : c)).join('');

const alternatives = (words: readonly string[]) =>
  [...words]
    .sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
    .map(anyCase)
    .join('|');

const NAMING = alternatives([...KNOWN_WORDS, ...TWO_WORD_LABELS]);
const FILLER = alternatives(FILLERS);
const SEP = '[ ,+]';

/**
 * Words (any letter case) from the known ones, two-word labels with spaces between their words,
 * separated by spaces, commas or "+", with "and", "or", "a", "an", "the" anywhere but alone.
 */
export const LABEL_WORDS_PATTERN = new RegExp(
  `^${SEP}*(?:(?:${FILLER})${SEP}+)*(?:${NAMING})(?:${SEP}+(?:${NAMING}|${FILLER}))*${SEP}*$`,
);

export interface LabelWords {
  /** The naming words and phrases, lower case, in the order given, without repeats ("people", "traffic light"). */
  words: string[];
  /** The labels they mean, in COCO order, without repeats. */
  labels: CocoLabel[];
}

interface Split {
  items: string[];
  /** Words with something other than the letters a-z in them. */
  odd: string[];
}

/** Groups at , and +; words at spaces; two words that make a two-word label are one item. */
function splitWords(text: string): Split {
  const items: string[] = [];
  const odd: string[] = [];
  for (const group of text.split(/[,+]/)) {
    const words = group.split(' ').filter((word) => word !== '');
    for (let i = 0; i < words.length; i++) {
      const word = words[i] as string;
      if (!/^[A-Za-z]+$/.test(word)) {
        odd.push(word);
        continue;
      }
      const next = words[i + 1];
      const pair = next === undefined ? '' : `${word} ${next}`.toLowerCase();
      if (TWO_WORD_LABELS.has(pair)) {
        items.push(pair);
        i++;
      } else items.push(word.toLowerCase());
    }
  }
  return { items, odd };
}

const quoteList = (words: readonly string[]) => [...new Set(words)].map((w) => JSON.stringify(w)).join(', ');

/** What a detail lists as known: every label and every plain word. */
export const KNOWN_WORDS_TEXT = `labels: ${COCO_LABELS.join(', ')}; plain words: ${Object.keys(LABEL_SYNONYMS).join(', ')}`;

/** The `label` text as labels, or why not (naming the words that mean nothing, and what would). */
export function readLabelWords(raw: string): Parsed<LabelWords> {
  if (raw.length > LABEL_WORDS_MAX_LENGTH)
    return { ok: false, detail: `is longer than ${LABEL_WORDS_MAX_LENGTH} characters` };
  const { items, odd } = splitWords(raw);
  if (odd.length > 0) {
    return {
      ok: false,
      detail: `may hold only letters a-z, spaces, commas and "+": ${quoteList(odd)} (known ${KNOWN_WORDS_TEXT})`,
    };
  }
  const words: string[] = [];
  const labels = new Set<CocoLabel>();
  const unknown: string[] = [];
  for (const item of items) {
    if (FILLER_SET.has(item)) continue;
    const meant = labelsForWords(item);
    if (meant.unknown.length > 0 || meant.labels.length === 0) {
      unknown.push(item);
      continue;
    }
    if (!words.includes(item)) words.push(item);
    for (const label of meant.labels) labels.add(label);
  }
  if (unknown.length > 0) {
    return {
      ok: false,
      detail: `has words that name no object the detector knows: ${quoteList(unknown)} (known ${KNOWN_WORDS_TEXT})`,
    };
  }
  if (labels.size === 0) {
    return { ok: false, detail: `names no object: give words such as people, car, dog or "traffic light"` };
  }
  // Held to the document's pattern as well, so the two cannot disagree even where this parser is looser.
  if (!LABEL_WORDS_PATTERN.test(raw)) {
    return { ok: false, detail: 'must be words separated by spaces, commas or "+"' };
  }
  return { ok: true, value: { words, labels: COCO_LABELS.filter((label) => labels.has(label)) } };
}
