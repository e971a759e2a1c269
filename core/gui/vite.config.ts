import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// chorusd serves the API, the demo media and the /rtc WebSocket; the dev server forwards to it.
const kBackend = process.env.CHORUS_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': { target: kBackend, changeOrigin: false },
      '/media': { target: kBackend, changeOrigin: false },
      '/rtc': { target: kBackend, ws: true, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: true,
    // hls.js alone is ~580 kB minified; it is its own lazily loaded chunk.
    chunkSizeWarningLimit: 650,
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
  },
});
