import ffmpeg from 'fluent-ffmpeg';
import { describe, expect, it } from 'vitest';
import { captureArgs } from '../../feed-handler/src/capture/ffmpeg-args.js';
import {
  AUTO_THREADS,
  buildCommand,
  combine,
  type Endpoints,
  fluentArgv,
  PRODUCTION,
  productionSpec,
  sameCommand,
  THREAD_CUTS,
  VARIANTS,
  variantById,
} from './variants.js';

const endpoints: Endpoints = {
  url: 'rtsp://127.0.0.1:8554/cam01',
  stagingPattern: '/tmp/x/chunks/run-%06d.mp4',
  analysisTarget: 'unix:/tmp/x/p1.sock',
};

/** What fluent-ffmpeg itself would run, built the way feed-handler/src/capture/ffmpeg.ts builds it. */
function fluentRuns(spec = productionSpec(endpoints)): string[] {
  const args = captureArgs(spec);
  const command = ffmpeg(spec.url).inputOptions(args.inputOptions).outputOptions(args.outputOptions).output('pipe:1');
  // The adapter passes a stream as the first output; fluent-ffmpeg names it pipe:1. A string target stands in here.
  if (args.chunkOutput) command.output(args.chunkOutput.target).outputOptions(args.chunkOutput.options);
  if (args.analysisOutput) command.output(args.analysisOutput.target).outputOptions(args.analysisOutput.options);
  return (command as unknown as { _getArguments(): string[] })._getArguments();
}

const valueAfter = (argv: string[], flag: string) => argv[argv.indexOf(flag) + 1];

/** The input's options, and each output's (JPEG, chunks, analysis), from an argument vector. */
function sections(argv: string[]) {
  const i = argv.indexOf('-i');
  const jpeg = argv.indexOf('pipe:1');
  const chunks = argv.indexOf(endpoints.stagingPattern);
  const analysis = argv.indexOf(endpoints.analysisTarget);
  return {
    input: argv.slice(0, i),
    jpeg: argv.slice(i + 2, jpeg),
    chunks: chunks < 0 ? [] : argv.slice(jpeg + 1, chunks),
    analysis: analysis < 0 ? [] : argv.slice(Math.max(jpeg, chunks) + 1, analysis),
  };
}
const pairs = (options: string[], flag: string) => options.filter((o) => o === flag).length;

describe('fluentArgv', () => {
  it('is what fluent-ffmpeg runs for the production arguments', () => {
    expect(buildCommand(PRODUCTION.change, endpoints).argv).toEqual(fluentRuns());
  });

  it('is what fluent-ffmpeg runs without chunks (no file output, no -y)', () => {
    const { chunks: _, ...spec } = productionSpec(endpoints);
    const argv = fluentArgv(captureArgs(spec), spec.url);
    expect(argv).toEqual(fluentRuns(spec));
    expect(argv).not.toContain('-y');
  });
});

describe('buildCommand', () => {
  const production = buildCommand(PRODUCTION.change, endpoints);

  it('runs the production spec: keyframes, chunks, analysis, one decoder thread', () => {
    expect(production.chunks).toBe(true);
    expect(production.analysis).toBe(true);
    expect(production.env).toEqual({});
    expect(production.argv.slice(0, 14)).toEqual([
      '-rtsp_transport',
      'tcp',
      '-timeout',
      '10000000',
      '-fflags',
      'nobuffer',
      '-analyzeduration',
      '1000000',
      '-probesize',
      '1000000',
      '-threads',
      '1',
      '-skip_frame',
      'nokey',
    ]);
  });

  it('drops and sets input options before -i', () => {
    const auto = sections(buildCommand(variantById('decoder-threads-auto').change, endpoints).argv);
    expect(auto.input).not.toContain('-threads');
    const probe = buildCommand(variantById('probe-small').change, endpoints).argv;
    expect(valueAfter(probe, '-probesize')).toBe('32');
    expect(valueAfter(probe, '-analyzeduration')).toBe('0');
    const buffer = buildCommand(variantById('buffer-size').change, endpoints).argv;
    expect(buffer.indexOf('-buffer_size')).toBeLessThan(buffer.indexOf('-i'));
  });

  it('sets output options on the JPEG output only, before its format', () => {
    const { jpeg, analysis, chunks } = sections(buildCommand(variantById('mjpeg-threads-1').change, endpoints).argv);
    expect(pairs(jpeg, '-threads')).toBe(1);
    expect(valueAfter(jpeg, '-threads')).toBe('1');
    expect(jpeg.indexOf('-threads')).toBeLessThan(jpeg.indexOf('-f'));
    expect(analysis).not.toContain('-threads');
    expect(chunks).not.toContain('-threads');
  });

  it('never doubles an option production already has, and drops every thread option for the automatic threads', () => {
    const twice = sections(buildCommand(combine(THREAD_CUTS, THREAD_CUTS), endpoints).argv);
    for (const flag of ['-threads', '-filter_threads', '-filter_complex_threads'])
      expect(pairs(twice.jpeg, flag)).toBe(1);
    expect(pairs(twice.analysis, '-threads')).toBe(1);
    const auto = sections(buildCommand(AUTO_THREADS, endpoints).argv);
    expect([...auto.jpeg, ...auto.analysis].filter((o) => /threads/.test(o))).toEqual([]);
    expect(valueAfter(auto.input, '-threads')).toBe('1');
  });

  it('tells when two changes run the same command', () => {
    expect(sameCommand(PRODUCTION.change, {})).toBe(true);
    expect(sameCommand(AUTO_THREADS, THREAD_CUTS)).toBe(false);
    expect(sameCommand(THREAD_CUTS, combine(THREAD_CUTS, THREAD_CUTS))).toBe(true);
    expect(sameCommand(variantById('cuts-malloc').change, THREAD_CUTS)).toBe(false);
  });

  it('turns chunks, analysis and keyframes-only decoding off through the spec', () => {
    const noChunks = buildCommand(variantById('no-chunks').change, endpoints);
    expect(noChunks.chunks).toBe(false);
    expect(noChunks.argv).not.toContain('segment');
    const noAnalysis = buildCommand(variantById('no-analysis').change, endpoints);
    expect(noAnalysis.analysis).toBe(false);
    expect(noAnalysis.argv).toContain('-vf');
    expect(buildCommand(variantById('decode-all').change, endpoints).argv).not.toContain('-skip_frame');
  });

  it('drops the faststart option of the chunks only', () => {
    const argv = buildCommand(variantById('no-faststart').change, endpoints).argv;
    expect(argv).not.toContain('movflags=+faststart');
    expect(argv).toContain('segment');
  });

  it('changes the thumbnail scaler, not the analysis one', () => {
    const graph = valueAfter(buildCommand(variantById('scale-bilinear').change, endpoints).argv, '-filter_complex');
    expect(graph).toContain('scale=320:-2:flags=fast_bilinear');
    expect(graph).toContain('scale=64:36:flags=area');
  });

  it('combines changes: every option, every env variable', () => {
    const cuts = buildCommand(variantById('cuts-malloc').change, endpoints);
    expect(cuts.env).toEqual({ MALLOC_ARENA_MAX: '2', MALLOC_TRIM_THRESHOLD_: '131072' });
    for (const flag of ['-filter_threads', '-filter_complex_threads']) expect(valueAfter(cuts.argv, flag)).toBe('1');
    // One encoder thread on the JPEG output and on the analysis output, one decoder thread on the input.
    const parts = sections(cuts.argv);
    for (const part of [parts.input, parts.jpeg, parts.analysis]) expect(valueAfter(part, '-threads')).toBe('1');
    expect(parts.analysis.indexOf('-threads')).toBeLessThan(parts.analysis.indexOf('-f'));
    const both = buildCommand(combine(variantById('no-chunks').change, variantById('decode-all').change), endpoints);
    expect(both.chunks).toBe(false);
    expect(both.argv).not.toContain('-skip_frame');
  });

  it('has unique ids, production first', () => {
    expect(VARIANTS[0]).toBe(PRODUCTION);
    expect(new Set(VARIANTS.map((v) => v.id)).size).toBe(VARIANTS.length);
    expect(() => variantById('nope')).toThrow(/unknown variant/);
  });
});
