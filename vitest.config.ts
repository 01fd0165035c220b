import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The shared packages are imported from source in tests, so a test run never
// depends on a stale build of them.
const alias = {
  '@fathom/index-contract': fileURLToPath(new URL('./packages/index-contract/src/index.ts', import.meta.url)),
  '@fathom/service-kit': fileURLToPath(new URL('./packages/service-kit/src/index.ts', import.meta.url)),
};
const ignored = ['**/node_modules/**', '**/dist/**'];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: {
          name: 'unit',
          include: ['**/*.spec.ts', '**/*.spec.tsx'],
          exclude: [...ignored, '**/*.int.spec.ts', '**/*.compose.spec.ts', 'e2e/**'],
          environment: 'node',
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['**/*.int.spec.ts'],
          exclude: ignored,
          globalSetup: ['./test/global-setup.ts'],
          // Real services: influxd, GStreamer and ffmpeg take seconds, not milliseconds.
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Test files share one influxd and one RTSP server; running them one at a
          // time keeps CPU-bound timing checks honest on a 2-core machine.
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.spec.ts'],
          exclude: ignored,
          testTimeout: 180_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'compose',
          include: ['test/compose/**/*.compose.spec.ts'],
          exclude: ignored,
          // A cold run builds the engine's base images and four project images first.
          testTimeout: 300_000,
          hookTimeout: 1_800_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
