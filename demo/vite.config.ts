import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// `pnpm dev` serves the app with hot reload and sends GraphQL to a gateway started with
// `pnpm start` (port 4000); the build in dist/ is what the gateway itself serves at `/`.
export default defineConfig({
  plugins: [react()],
  server: {
    port: 5173,
    proxy: { '/graphql': { target: 'http://localhost:4000', ws: true } },
  },
  build: { outDir: 'dist', emptyOutDir: true },
});
