import { defineConfig } from 'vite';

// `npm run dev` serves the pages with live reload and sends /api to a running `radlab serve`
// (RADLAB_API, default http://127.0.0.1:7070). `npm run build` writes dist/, which Maven packs into the jar.
export default defineConfig({
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    chunkSizeWarningLimit: 300,
  },
  server: {
    host: '127.0.0.1',
    proxy: { '/api': process.env.RADLAB_API || 'http://127.0.0.1:7070' },
  },
});
