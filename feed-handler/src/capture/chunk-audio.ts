/**
 * What becomes of the camera's sound in the MP4 chunks (issue #17). Chunks are
 * played by browsers, and the audio that MP4 carries and every browser plays is
 * AAC; so AAC is copied as it is, and G.711 (pcm_alaw, pcm_mulaw: most cameras'
 * other sound, which ffmpeg 5.1's mp4 muxer refuses outright) is converted to AAC,
 * the one conversion we allow: one small audio encoder per camera.
 *
 * Any other codec is left out of the chunks ('none'), and converting it would be a
 * second conversion. ffmpeg 5.1's mp4 muxer refuses G.722, G.726 and L16 (pcm_s16be)
 * as it refuses G.711; it takes MP2, MP3 and Opus, but browsers do not play MP2 in
 * MP4, and MP3 or Opus from a camera are rare and untried here. Leaving the sound out
 * is the safe side: the chunk output is one output of the camera's only ffmpeg, and a
 * stream its muxer refuses makes that ffmpeg exit, taking the thumbnails with it. Pure.
 */

export type ChunkAudio = 'none' | 'copy' | 'aac';

export interface ChunkAudioChoice {
  audio: ChunkAudio;
  /** One line for the logs: why this choice. */
  reason: string;
}

const G711 = new Set(['pcm_alaw', 'pcm_mulaw']);

/**
 * The chunk audio for the camera's first audio codec as ffmpeg names it (StreamInfo's
 * `audio.codec`): null = the camera sends no sound; undefined = not known yet (a camera
 * never seen before), when whatever sound there is gets converted to AAC, and a camera
 * without sound records its video as before (the audio map is optional).
 */
export function chunkAudioFor(codec: string | null | undefined): ChunkAudioChoice {
  if (codec === null) return { audio: 'none', reason: 'the camera sends no sound' };
  if (codec === undefined) {
    return { audio: 'aac', reason: "the camera's sound is not known yet: any sound is converted to AAC" };
  }
  const name = codec.trim().toLowerCase();
  if (name === 'aac') return { audio: 'copy', reason: 'AAC sound: copied as it is' };
  if (G711.has(name)) return { audio: 'aac', reason: `G.711 sound (${name}): converted to AAC, which MP4 plays` };
  return {
    audio: 'none',
    reason: `${name} sound: left out of the chunks (only AAC is copied and only G.711 converted)`,
  };
}

/**
 * AAC bit rate of a conversion. G.711 is 8 kHz mono: ffmpeg's AAC encoder allows at most
 * 6144 bits per 1024-sample frame and channel, 48 kb/s at 8 kHz mono (64k would be
 * clamped, with a warning on every start); 32 kb/s is plenty for telephone-band sound.
 */
export const CHUNK_AAC_BITRATE = '32k';

/** Output options for the camera's sound in the chunk output (the video's are chunkOutput's). */
export function chunkAudioOptions(audio: ChunkAudio): string[] {
  switch (audio) {
    case 'none':
      return ['-an'];
    case 'copy':
      // `?`: a camera that stops sending sound still records its video instead of failing.
      return ['-map', '0:a:0?', '-c:a', 'copy'];
    case 'aac':
      return [
        '-map',
        '0:a:0?',
        '-c:a',
        'aac',
        '-b:a',
        CHUNK_AAC_BITRATE,
        // Sound lost on the way (RTP over UDP) would leave a hole in the AAC track's
        // timestamps, and players that play the decoded frames back to back would play
        // everything after it early. async=1 fills a gap with silence (and trims an
        // overlap) once it passes 0.1 s, so the sound stays within 0.1 s of the picture.
        '-af',
        'aresample=async=1',
      ];
  }
}
