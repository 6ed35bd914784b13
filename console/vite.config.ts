import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';
import { rolePermissions } from './vite/role-permissions.ts';

export default defineConfig({
  plugins: [react(), rolePermissions()],
  // The server serves dist/ at the site root; assets/ holds content-hashed files cached for a year.
  base: '/',
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    chunkSizeWarningLimit: 1500,
    rolldownOptions: {
      output: {
        // Libraries change less often than the console: their own chunks stay cached across releases.
        // ECharts stays in the lazily loaded chunks of the pages that draw charts.
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/, priority: 40 },
            { name: 'mui', test: /node_modules[\\/](@mui|@emotion)[\\/]/, priority: 30 },
            {
              name: 'react-admin',
              test: /node_modules[\\/](react-admin|ra-[a-z-]+|@tanstack|react-hook-form|react-router|react-router-dom|lodash)[\\/]/,
              priority: 20,
            },
          ],
        },
      },
    },
  },
  server: {
    // `npm run dev` against a platform on the default port.
    proxy: { '/graphql': 'http://127.0.0.1:8080' },
    fs: { allow: ['..'] },
  },
});
