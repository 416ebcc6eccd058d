import { type ChildProcess, execFile, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from './support/browser-app';

/*
 * Syncline as a web team gets it: the three packages packed (`pnpm pack`, which builds them),
 * installed with npm into a fresh project outside this workspace (no workspace links), the
 * project's own table declared in its syncline.config.ts, type-checked by its own `tsc`,
 * migrated and served by the `syncline` command on plain node, and a Vite + React page that
 * uses `@syncline/client/react` in Chromium. The project is test/fixtures/outside-app.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURE = join(ROOT, 'test/fixtures/outside-app');
const PACKAGES = ['schema', 'client', 'gateway'] as const;

const exec = promisify(execFile);
const manifest = (path: string) =>
  JSON.parse(readFileSync(join(ROOT, path, 'package.json'), 'utf8')) as {
    version: string;
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };

/** The environment of a stranger's shell: none of pnpm's, Vitest's or CI's Syncline settings. */
function strangerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (/^(npm_|pnpm_|VITEST|SYNCLINE_|DATABASE_URL$|NODE_ENV$|NODE_OPTIONS$)/i.test(name))
      continue;
    env[name] = value;
  }
  return { ...env, ...extra };
}

async function run(command: string, args: string[], cwd: string, env = strangerEnv()) {
  try {
    return await exec(command, args, { cwd, env, maxBuffer: 32 * 1024 * 1024 });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stdout}\n${stderr}`.trim());
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The package.json a team would have after `npm install`ing Syncline, React and Vite. */
function projectManifest(packs: string): string {
  const { version } = manifest('gateway');
  const demo = manifest('demo');
  const root = manifest('.');
  const pick = (deps: Record<string, string> | undefined, name: string) => {
    const range = deps?.[name];
    if (!range) throw new Error(`no version of ${name} in the workspace`);
    return range;
  };
  const tarball = (name: string) => `file:${join(packs, `syncline-${name}-${version}.tgz`)}`;
  return JSON.stringify({
    name: 'outside-app',
    private: true,
    type: 'module',
    dependencies: {
      '@syncline/client': tarball('client'),
      '@syncline/gateway': tarball('gateway'),
      '@syncline/schema': tarball('schema'),
      'drizzle-orm': pick(manifest('schema').devDependencies, 'drizzle-orm'),
      react: pick(demo.dependencies, 'react'),
      'react-dom': pick(demo.dependencies, 'react-dom'),
    },
    devDependencies: {
      '@types/node': pick(root.devDependencies, '@types/node'),
      '@types/react': pick(demo.devDependencies, '@types/react'),
      '@types/react-dom': pick(demo.devDependencies, '@types/react-dom'),
      typescript: pick(root.devDependencies, 'typescript'),
      vite: pick(demo.devDependencies, 'vite'),
    },
  });
}

describe('Syncline installed from its packed tarballs, outside the workspace', () => {
  let dir = '';
  let app = '';
  let gateway: ChildProcess | undefined;
  let browser: Browser | undefined;
  let origin = '';
  const bin = (name: string) => join(app, 'node_modules/.bin', name);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'syncline-outside-'));
    const packs = join(dir, 'packs');
    app = join(dir, 'app');
    mkdirSync(packs);
    // `pnpm pack` runs each package's build (prepack) and rewrites workspace versions.
    await Promise.all(
      PACKAGES.map((name) => run('pnpm', ['pack', '--pack-destination', packs], join(ROOT, name))),
    );
    cpSync(FIXTURE, app, { recursive: true });
    writeFileSync(join(app, 'package.json'), projectManifest(packs));
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], app);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    if (gateway?.exitCode === null) {
      const exited = new Promise((resolve) => gateway?.once('exit', resolve));
      gateway.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('packs only built files, with exports a bundler and Node can both read', async () => {
    for (const name of PACKAGES) {
      const installed = join(app, 'node_modules/@syncline', name);
      const pkg = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8'));
      expect(pkg.private).toBeUndefined();
      expect(pkg.exports['.']).toEqual({
        types: './dist/index.d.ts',
        import: './dist/index.js',
        default: './dist/index.js',
      });
      expect(JSON.stringify(pkg.dependencies ?? {})).not.toContain('workspace:');
      expect(existsSync(join(installed, 'src'))).toBe(false);
    }
  });

  it("type-checks the project's own code with its own tsc, strict, and our declarations too", async () => {
    // One run with skipLibCheck off: others' declarations (drizzle-orm's) may not pass it, but
    // the project's own files and ours must.
    const errors = await run(bin('tsc'), ['-p', '.', '--skipLibCheck', 'false'], app).then(
      () => [],
      (error: Error) => {
        const lines = error.message.split('\n').filter((line) => /error TS/.test(line));
        return lines.length > 0 ? lines : [error.message]; // no diagnostics: tsc itself failed
      },
    );
    const theirs = (line: string) =>
      line.startsWith('node_modules/') && !line.startsWith('node_modules/@syncline/');
    expect(errors.filter((line) => !theirs(line))).toEqual([]);
  }, 60_000);

  it('says in one line what is wrong when there is no config file', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const failed = await run(bin('syncline'), ['start'], empty).then(
      () => '',
      (error: Error) => error.message,
    );
    expect(failed).toMatch(/syncline: no syncline\.config\.ts \(or \.js\) in .*empty/);
  });

  it('generates, applies and serves the migration of the project table, on plain node', async () => {
    const generated = await run(bin('syncline'), ['generate', '--name', 'init'], app);
    expect(generated.stdout).toMatch(/wrote .*drizzle\/0000_init\.sql/);
    const sql = readFileSync(join(app, 'drizzle/0000_init.sql'), 'utf8');
    expect(sql).toContain('CREATE TABLE "job_card"');
    expect(sql).toContain('CREATE TABLE "syncline_outcome"');
    expect(sql).toContain("SELECT syncline_track_owner('job_card', 'technician_id');");
    expect((await run(bin('syncline'), ['generate'], app)).stdout).toMatch(/no changes/);
    expect((await run(bin('syncline'), ['migrate'], app)).stdout).toMatch(/migrated \(PGlite/);
    expect((await run(bin('syncline'), ['schema'], app)).stdout).toContain('pullJobCards(');
    await run(bin('vite'), ['build', '--logLevel', 'warn'], app);

    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    // The bin is the built JavaScript, run by node itself: no tsx, no loader.
    expect(readFileSync(bin('syncline'), 'utf8')).toMatch(/^#!\/usr\/bin\/env node/);
    gateway = spawn(process.execPath, [bin('syncline'), 'start'], {
      cwd: app,
      env: strangerEnv({ PORT: String(port), LOG_LEVEL: 'warn' }),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    await expect
      .poll(
        () =>
          fetch(`${origin}/health`).then(
            (r) => r.ok,
            () => false,
          ),
        {
          timeout: 30_000,
          interval: 200,
        },
      )
      .toBe(true);
  }, 120_000);

  it('keeps a row inserted offline across a reload and delivers it when back online', async () => {
    expect(origin).not.toBe('');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(origin);
    await expect.poll(() => page.locator('#status').textContent()).toBe('online');

    await context.setOffline(true);
    await page.locator('#title').fill('Replace pump seal');
    await page.getByRole('button', { name: 'Add' }).click();
    await expect.poll(() => page.locator('#pending').textContent()).toBe('1');

    // The page reloads from the gateway, which the app still cannot reach for GraphQL.
    await context.route('**/graphql*', (route) => route.abort('internetdisconnected'));
    await context.setOffline(false);
    await page.reload();
    await expect.poll(() => page.locator('#pending').textContent()).toBe('1');
    await expect.poll(() => page.locator('li').allTextContents()).toEqual(['Replace pump seal']);

    await context.unroute('**/graphql*');
    await context.setOffline(true);
    await context.setOffline(false); // the browser's `online` event: the client syncs now
    await expect.poll(() => page.locator('#pending').textContent(), { timeout: 15_000 }).toBe('0');
    const response = await fetch(`${origin}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ pullJobCards { rows { title technicianId version } } }' }),
    });
    expect(await response.json()).toEqual({
      data: {
        pullJobCards: {
          rows: [{ title: 'Replace pump seal', technicianId: 'anonymous', version: 1 }],
        },
      },
    });
  }, 120_000);
});
