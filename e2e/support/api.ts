/** Direct calls to the backend, to check what the dashboard shows against the API's own answers. */

export interface ApiFrame {
  camera: string;
  timeMs: number;
  url: string;
}

/** Exact unix seconds for a millisecond time: the same units the dashboard sends. */
export function tsParam(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
}

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

export async function closestFrame(backend: string, camera: string, atMs: number): Promise<ApiFrame | null> {
  const { status, body } = await getJson(`${backend}/thumbnail?camera=${camera}&ts=${tsParam(atMs)}`);
  if (status === 404) return null;
  if (status !== 200) throw new Error(`/thumbnail answered ${status}: ${JSON.stringify(body)}`);
  const b = body as { camera: string; time: string; url: string };
  return { camera: b.camera, timeMs: Date.parse(b.time), url: b.url };
}

export async function group(backend: string, camera: string, fromMs: number, minutes: number): Promise<ApiFrame[]> {
  const { status, body } = await getJson(
    `${backend}/thumbnailGroup?camera=${camera}&ts=${tsParam(fromMs)}&minutes=${minutes}`,
  );
  if (status !== 200) throw new Error(`/thumbnailGroup answered ${status}: ${JSON.stringify(body)}`);
  const b = body as { count: number; thumbnails: { camera: string; time: string; url: string }[] };
  return b.thumbnails.map((t) => ({ camera: t.camera, timeMs: Date.parse(t.time), url: t.url }));
}

export async function newestFrameTime(backend: string, camera: string): Promise<number | null> {
  const { status, body } = await getJson(`${backend}/cameras`);
  if (status !== 200) return null;
  const list = (body as { cameras: { camera: string; newestFrame: { time: string } | null }[] }).cameras;
  const frame = list.find((c) => c.camera === camera)?.newestFrame;
  return frame ? Date.parse(frame.time) : null;
}
