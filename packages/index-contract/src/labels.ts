/**
 * The detector's vocabulary: the 80 COCO classes in the model's output order (class 0 is
 * "person"), and the plain words people type that stand for one or more of them.
 */

export const COCO_LABELS = [
  'person',
  'bicycle',
  'car',
  'motorcycle',
  'airplane',
  'bus',
  'train',
  'truck',
  'boat',
  'traffic light',
  'fire hydrant',
  'stop sign',
  'parking meter',
  'bench',
  'bird',
  'cat',
  'dog',
  'horse',
  'sheep',
  'cow',
  'elephant',
  'bear',
  'zebra',
  'giraffe',
  'backpack',
  'umbrella',
  'handbag',
  'tie',
  'suitcase',
  'frisbee',
  'skis',
  'snowboard',
  'sports ball',
  'kite',
  'baseball bat',
  'baseball glove',
  'skateboard',
  'surfboard',
  'tennis racket',
  'bottle',
  'wine glass',
  'cup',
  'fork',
  'knife',
  'spoon',
  'bowl',
  'banana',
  'apple',
  'sandwich',
  'orange',
  'broccoli',
  'carrot',
  'hot dog',
  'pizza',
  'donut',
  'cake',
  'chair',
  'couch',
  'potted plant',
  'bed',
  'dining table',
  'toilet',
  'tv',
  'laptop',
  'mouse',
  'remote',
  'keyboard',
  'cell phone',
  'microwave',
  'oven',
  'toaster',
  'sink',
  'refrigerator',
  'book',
  'clock',
  'vase',
  'scissors',
  'teddy bear',
  'hair drier',
  'toothbrush',
] as const;

export type CocoLabel = (typeof COCO_LABELS)[number];

/** The labels the detector keeps when DETECT_LABELS is not set: what a camera at a door or drive cares about. */
export const DEFAULT_DETECT_LABELS: readonly CocoLabel[] = [
  'person',
  'car',
  'truck',
  'bicycle',
  'motorcycle',
  'dog',
  'cat',
  'bird',
];

const COCO_SET: ReadonlySet<string> = new Set(COCO_LABELS);

export function isCocoLabel(value: string): value is CocoLabel {
  return COCO_SET.has(value);
}

/** Plain words (lower case, singular and plural) and the labels each one means. A label's own name also means itself. */
export const LABEL_SYNONYMS: Readonly<Record<string, readonly CocoLabel[]>> = {
  people: ['person'],
  persons: ['person'],
  human: ['person'],
  humans: ['person'],
  someone: ['person'],
  somebody: ['person'],
  man: ['person'],
  men: ['person'],
  woman: ['person'],
  women: ['person'],
  child: ['person'],
  children: ['person'],
  kid: ['person'],
  kids: ['person'],
  visitor: ['person'],
  visitors: ['person'],
  vehicle: ['car', 'truck', 'bus', 'motorcycle'],
  vehicles: ['car', 'truck', 'bus', 'motorcycle'],
  cars: ['car'],
  auto: ['car'],
  van: ['car', 'truck'],
  lorry: ['truck'],
  trucks: ['truck'],
  bike: ['bicycle', 'motorcycle'],
  bikes: ['bicycle', 'motorcycle'],
  bicycles: ['bicycle'],
  cycle: ['bicycle'],
  motorbike: ['motorcycle'],
  motorcycles: ['motorcycle'],
  scooter: ['motorcycle'],
  animal: ['dog', 'cat', 'bird', 'horse', 'sheep', 'cow', 'bear'],
  animals: ['dog', 'cat', 'bird', 'horse', 'sheep', 'cow', 'bear'],
  pet: ['dog', 'cat'],
  pets: ['dog', 'cat'],
  dogs: ['dog'],
  puppy: ['dog'],
  cats: ['cat'],
  kitten: ['cat'],
  birds: ['bird'],
  parcel: ['suitcase', 'backpack', 'handbag'],
  package: ['suitcase', 'backpack', 'handbag'],
  bag: ['backpack', 'handbag', 'suitcase'],
  bags: ['backpack', 'handbag', 'suitcase'],
  buses: ['bus'],
  boats: ['boat'],
};

export interface WordsToLabels {
  /** The labels the words mean, in COCO order, without repeats. */
  labels: CocoLabel[];
  /** Words (or phrases) that mean no label. */
  unknown: string[];
}

/**
 * "people and cars", "person, dog", "traffic light" → labels. Words are split on commas,
 * "and", "or", "+" and spaces; two-word labels ("traffic light", "cell phone") are matched
 * first so their words are not read apart.
 */
export function labelsForWords(text: string): WordsToLabels {
  // Separators become spaces around a comma, so "car,traffic light" reads as "car , traffic light".
  let rest = ` ${text
    .toLowerCase()
    .replace(/[,+]/g, ' , ')
    .replace(/[^a-z ,]/g, ' ')} `;
  const found = new Set<CocoLabel>();
  for (const label of COCO_LABELS) {
    if (!label.includes(' ')) continue;
    // Between spaces (lookarounds, so "traffic light traffic light" matches twice).
    const whole = new RegExp(`(?<= )${label}(?= )`, 'g');
    if (whole.test(rest)) {
      found.add(label);
      rest = rest.replace(whole, ',');
    }
  }
  const unknown: string[] = [];
  for (const word of rest.split(/[\s,+]+/)) {
    if (word === '' || word === 'and' || word === 'or' || word === 'a' || word === 'an' || word === 'the') continue;
    const meant = isCocoLabel(word) ? [word] : LABEL_SYNONYMS[word];
    if (meant) for (const label of meant) found.add(label);
    else unknown.push(word);
  }
  return { labels: COCO_LABELS.filter((l) => found.has(l)), unknown };
}
