/** What GET /healthz answers: built by the feed-handler core (feed-handler.ts), served by app.ts. */
import type { CameraSnapshot } from '../capture/camera-supervisor.js';
import type { StorageState } from '../footage/retention.js';
import type { RestreamSnapshot } from '../restream/restream-supervisor.js';

export interface CameraHealth {
  camera: string;
  ok: boolean;
  state: CameraSnapshot['state'];
  /** Decoding keyframes only or all frames (`all` while auto is still learning the keyframe interval). */
  mode: CameraSnapshot['mode'];
  /** How the mode was chosen: override, learning, learnt, remembered (from the file), fallback. */
  modeSource: CameraSnapshot['modeSource'];
  /** Seconds since the newest frame (or since start, before the first one). */
  frameAgeSeconds: number;
  /** False while decoded frames cannot be written (a volume it may not write, a full disk). */
  storing: boolean;
  /** Why frames are not stored, in status-reason words ("permission denied"); null while they are. */
  storeError: string | null;
  frames: number;
  restarts: number;
  /**
   * With a sub-stream (`thumbnailUrl`): the main stream's recorder, a second ffmpeg. Its keyframe list reports
   * each keyframe; a recorder without one for HEALTH_MAX_FRAME_AGE_SECONDS + 30 s makes the camera not ok.
   */
  recording?: { state: CameraSnapshot['state']; keyframeAgeSeconds: number; restarts: number };
}

export interface HealthReport {
  ok: boolean;
  maxFrameAgeSeconds: number;
  cameras: CameraHealth[];
  index: { pendingPoints: number; writing: boolean; lastError: string | null };
  /** Disk use at the last retention sweep; null before the first. */
  storage?: StorageState | null;
  /** The per-minute activity bucket's upkeep (with motion on): its task is set up, late minutes pending. */
  activity?: { ready: boolean; pendingBackfill: boolean; lastError: string | null };
  /**
   * Each restream target (camera × RTMP server): live, starting, failing (and why) or off. Not part
   * of `ok`: a refused stream key is not a reason to restart the recorder.
   */
  restreams?: RestreamSnapshot[];
  /**
   * The object detector (with DETECT_ENABLED): ready, loading or failing (and why), and what it
   * did. Like restreams, not part of `ok`: thumbnails and the index carry on without it, and a
   * failing model is not a reason to restart the recorder; `detector.ok` says whether it works.
   */
  detector?: {
    ok: boolean;
    state: 'loading' | 'ready' | 'failing' | 'stopped';
    reason: string | null;
    analysed: number;
    dropped: number;
    failed: number;
    queued: number;
    restarts: number;
    /** Detection points waiting for InfluxDB. */
    pendingPoints: number;
    lastWriteError: string | null;
    lastAnalysedAt: string | null;
  };
}
