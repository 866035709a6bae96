import { fileURLToPath } from 'node:url';
import { defineConfig } from 'electron-vite';
import { rendererConfig } from './renderer/vite.config';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      externalizeDeps: true,
      rollupOptions: { input: { index: fileURLToPath(new URL('./main/electron/index.ts', import.meta.url)) } },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can require only 'electron': zod (from the contract) must be bundled in.
      externalizeDeps: false,
      outDir: 'out/preload',
      // A sandboxed preload must be CommonJS.
      rollupOptions: {
        input: { index: fileURLToPath(new URL('./preload/electron.ts', import.meta.url)) },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: rendererConfig,
});
