import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createServiceLogger, SECRET_PATHS } from './logger.js';
import { redactCredentials } from './redact.js';

/** A logger writing its lines into an array. */
function capture(options: Omit<Parameters<typeof createServiceLogger>[0], 'service' | 'level'>) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const log = createServiceLogger({ service: 'svc', level: 'info', ...options }, stream);
  return { log, lines };
}

describe('service logger', () => {
  it('names the service and replaces secret paths', () => {
    const { log, lines } = capture({ redactPaths: [...SECRET_PATHS, 'config.influx.token'] });
    log.info(
      {
        token: 'a',
        influx: { token: 'b' },
        x: { token: 'c' },
        headers: { authorization: 'd' },
        config: { influx: { token: 'e' } },
      },
      'hello',
    );
    log.debug('below the level');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      service: 'svc',
      msg: 'hello',
      token: '[redacted]',
      influx: { token: '[redacted]' },
      x: { token: '[redacted]' },
      headers: { authorization: '[redacted]' },
      config: { influx: { token: '[redacted]' } },
    });
  });

  it('passes every string argument through redactText, and leaves messages alone without it', () => {
    const scrubbed = capture({ redactPaths: SECRET_PATHS, redactText: redactCredentials });
    scrubbed.log.warn({ camera: 'c' }, 'ffmpeg said %s', 'rtsp://u:p@cam/1: refused');
    scrubbed.log.info('rtsp://u:p@cam/2');
    expect(scrubbed.lines.map((l) => l.msg)).toEqual(['ffmpeg said rtsp://***@cam/1: refused', 'rtsp://***@cam/2']);
    const plain = capture({ redactPaths: SECRET_PATHS });
    plain.log.info('rtsp://u:p@cam/2');
    expect(plain.lines[0]?.msg).toBe('rtsp://u:p@cam/2');
  });
});
