import { defineConfig } from 'vite';

// The SPA is served by console-ui from the same origin: build straight into its static resources.
export default defineConfig({
  build: {
    outDir: '../target/classes/META-INF/resources',
    emptyOutDir: true,
    sourcemap: false,
  },
  test: {
    environment: 'jsdom',
  },
} as never);
