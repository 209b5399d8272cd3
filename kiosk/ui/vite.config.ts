import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The service serves dist/ from the same origin as /api, so the base is the root.
export default defineConfig({
  root: here('.'),
  base: '/',
  plugins: [react()],
  build: { outDir: here('dist'), emptyOutDir: true },
});
