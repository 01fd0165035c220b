import { describe, expect, it } from 'vitest';
import { CHUNK_AAC_BITRATE, chunkAudioFor, chunkAudioOptions } from './chunk-audio.js';

describe('chunkAudioFor', () => {
  it('records no sound when the camera sends none', () => {
    expect(chunkAudioFor(null).audio).toBe('none');
  });

  it('converts whatever there is to AAC while the sound is not known yet', () => {
    expect(chunkAudioFor(undefined).audio).toBe('aac');
  });

  it('copies AAC as it is', () => {
    expect(chunkAudioFor('aac')).toEqual({ audio: 'copy', reason: 'AAC sound: copied as it is' });
  });

  it('converts G.711, A-law and µ-law, to AAC', () => {
    expect(chunkAudioFor('pcm_alaw').audio).toBe('aac');
    expect(chunkAudioFor('pcm_mulaw').audio).toBe('aac');
    expect(chunkAudioFor('pcm_alaw').reason).toContain('pcm_alaw');
  });

  it('takes the codec name as ffmpeg prints it, whatever its case or spaces', () => {
    expect(chunkAudioFor(' AAC ').audio).toBe('copy');
    expect(chunkAudioFor('PCM_MULAW').audio).toBe('aac');
  });

  it.each(['opus', 'mp3', 'mp2', 'adpcm_g726le', 'adpcm_g722', 'pcm_s16be', 'aac_latm', ''])(
    'leaves %j out of the chunks, saying why',
    (codec) => {
      const choice = chunkAudioFor(codec);
      expect(choice.audio).toBe('none');
      expect(choice.reason).toMatch(/left out/);
    },
  );
});

describe('chunkAudioOptions', () => {
  it('drops the sound with -an', () => {
    expect(chunkAudioOptions('none')).toEqual(['-an']);
  });

  it('copies the first audio stream, when there is one', () => {
    expect(chunkAudioOptions('copy')).toEqual(['-map', '0:a:0?', '-c:a', 'copy']);
  });

  it('converts the first audio stream, when there is one, to AAC at a rate 8 kHz mono allows, without holes', () => {
    expect(chunkAudioOptions('aac')).toEqual([
      '-map',
      '0:a:0?',
      '-c:a',
      'aac',
      '-b:a',
      '32k',
      '-af',
      'aresample=async=1',
    ]);
    // ffmpeg's AAC encoder clamps above 6144 bits per 1024-sample frame and channel.
    const bitsPerSecond = Number.parseInt(CHUNK_AAC_BITRATE, 10) * 1000;
    expect((1024 * bitsPerSecond) / 8000).toBeLessThanOrEqual(6144);
  });
});
