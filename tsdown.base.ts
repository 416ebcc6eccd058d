import type { UserConfig } from 'tsdown';

/**
 * How every package builds (`pnpm build` in its folder, and `pnpm pack`): ESM JavaScript, one
 * output module per source module, so that an app bundler drops what it does not import
 * (`sideEffects: false`). Declarations come from `tsc -p tsconfig.build.json` afterwards:
 * tsdown's own declaration plugin needs the TypeScript JS API, which TypeScript 7 does not have.
 */
export function packageBuild(entry: string[]): UserConfig {
  return {
    entry,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    unbundle: true,
    fixedExtension: false,
    dts: false,
    clean: true,
    sourcemap: false,
    logLevel: 'warn',
  };
}
