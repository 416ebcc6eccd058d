import { defineConfig } from 'tsdown';
import { packageBuild } from '../tsdown.base';

export default defineConfig({
  ...packageBuild(['src/index.ts', 'src/system-tables.ts', 'src/example.ts', 'src/cli/main.ts']),
  platform: 'node',
});
