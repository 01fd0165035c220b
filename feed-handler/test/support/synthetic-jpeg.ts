/** Test helper: tiny JPEG-shaped byte strings, structurally valid for the splitter and the SOF reader. */
const segment = (marker: number, payload: number[]) => [
  0xff,
  marker,
  (payload.length + 2) >> 8,
  (payload.length + 2) & 0xff,
  ...payload,
];

/** A structurally valid JPEG whose header payload contains FF D9 and whose scan has stuffing and restarts. */
export function syntheticJpeg(width: number, height: number, scanSeed = 1): Buffer {
  const scan = [0x12, 0xff, 0x00, 0x34, 0xff, 0xd0, scanSeed & 0x7f, 0xff, 0x00];
  return Buffer.from([
    0xff,
    0xd8,
    ...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0x00, 0xff, 0xd9]),
    ...segment(0xdb, [0x00, ...Array.from({ length: 64 }, (_, i) => (i === 10 ? 0xff : i === 11 ? 0xd9 : i + 1))]),
    ...segment(0xc0, [8, height >> 8, height & 0xff, width >> 8, width & 0xff, 1, 1, 0x11, 0]),
    ...segment(0xda, [1, 1, 0, 0, 63, 0]),
    ...scan,
    0xff,
    0xd9,
  ]);
}
