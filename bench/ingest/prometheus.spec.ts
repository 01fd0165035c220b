import { describe, expect, it } from 'vitest';
import { byCamera, parsePrometheusText } from './prometheus.js';

const text = `# HELP fathom_feed_index_lag_seconds Capture time of the newest thumbnail minus ...
# TYPE fathom_feed_index_lag_seconds gauge
fathom_feed_index_lag_seconds{camera="cam1"} 0
fathom_feed_index_lag_seconds{camera="cam-2"} 1.5
fathom_feed_frames_total{camera="cam1"} 42
fathom_feed_index_buffer_depth 3
weird{camera="a\\"b",x="y"} 7 1700000000000
`;

describe('parsePrometheusText', () => {
  it('reads samples with and without labels, skipping comments', () => {
    const samples = parsePrometheusText(text);
    expect(samples).toHaveLength(5);
    expect(samples.find((s) => s.name === 'fathom_feed_index_buffer_depth')?.value).toBe(3);
    expect(samples.at(-1)).toEqual({ name: 'weird', labels: { camera: 'a"b', x: 'y' }, value: 7 });
  });

  it('picks one metric by camera', () => {
    expect([...byCamera(parsePrometheusText(text), 'fathom_feed_index_lag_seconds')]).toEqual([
      ['cam1', 0],
      ['cam-2', 1.5],
    ]);
  });
});
