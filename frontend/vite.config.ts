import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * In development, /config.json is generated from the same env variables the
 * production server (server.mjs) reads, so `npm run dev` needs no extra file.
 */
function devRuntimeConfig(): Plugin {
  return {
    name: 'fathom-dev-runtime-config',
    configureServer(server) {
      server.middlewares.use('/config.json', (_req, res) => {
        const body = {
          apiBaseUrl: process.env.FATHOM_API_URL ?? 'http://localhost:3000',
          ...(process.env.FATHOM_API_TOKEN ? { apiToken: process.env.FATHOM_API_TOKEN } : {}),
        };
        res.setHeader('Content-Type', 'application/json');
        res.setHeader('Cache-Control', 'no-store');
        res.end(JSON.stringify(body));
      });
    },
  };
}

export default defineConfig({
  plugins: [react(), devRuntimeConfig()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
});
