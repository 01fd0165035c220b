import { describe, expect, it } from 'vitest';
import { COCO_LABELS, DEFAULT_DETECT_LABELS, isCocoLabel, LABEL_SYNONYMS, labelsForWords } from './labels.js';

describe('labels', () => {
  it('has the 80 COCO classes, person first', () => {
    expect(COCO_LABELS).toHaveLength(80);
    expect(COCO_LABELS[0]).toBe('person');
    expect(COCO_LABELS[2]).toBe('car');
    expect(new Set(COCO_LABELS).size).toBe(80);
  });

  it('defaults and synonyms name only COCO labels', () => {
    for (const label of DEFAULT_DETECT_LABELS) expect(isCocoLabel(label)).toBe(true);
    for (const labels of Object.values(LABEL_SYNONYMS)) for (const l of labels) expect(isCocoLabel(l)).toBe(true);
  });

  it('maps plain words to labels', () => {
    expect(labelsForWords('people')).toEqual({ labels: ['person'], unknown: [] });
    expect(labelsForWords('Vehicle')).toEqual({ labels: ['car', 'motorcycle', 'bus', 'truck'], unknown: [] });
    expect(labelsForWords('people and dogs, cars')).toEqual({ labels: ['person', 'car', 'dog'], unknown: [] });
    expect(labelsForWords('person+cat')).toEqual({ labels: ['person', 'cat'], unknown: [] });
  });

  it('matches two-word labels whole', () => {
    expect(labelsForWords('traffic light')).toEqual({ labels: ['traffic light'], unknown: [] });
    expect(labelsForWords('a cell phone or a person')).toEqual({ labels: ['person', 'cell phone'], unknown: [] });
    expect(labelsForWords('car,traffic light')).toEqual({ labels: ['car', 'traffic light'], unknown: [] });
    expect(labelsForWords('traffic light traffic light')).toEqual({ labels: ['traffic light'], unknown: [] });
    expect(labelsForWords('stop sign+person')).toEqual({ labels: ['person', 'stop sign'], unknown: [] });
  });

  it('reports words it does not know', () => {
    expect(labelsForWords('unicorn people')).toEqual({ labels: ['person'], unknown: ['unicorn'] });
    expect(labelsForWords('')).toEqual({ labels: [], unknown: [] });
    expect(labelsForWords('light')).toEqual({ labels: [], unknown: ['light'] });
  });
});
