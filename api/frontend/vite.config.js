import { defineConfig } from 'vite';

// Built by Maven (exec-maven-plugin, phase generate-resources) into the API's classpath under
// /dashboard, which the API serves at / (index.html) and /assets/* (hashed, cacheable files).
export default defineConfig({
  base: '/',
  build: {
    outDir: '../target/classes/dashboard',
    emptyOutDir: true,
    assetsDir: 'assets',
    sourcemap: false,
  },
});
