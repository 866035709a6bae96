import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UserConfig, build as ViteBuild } from 'vite';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RENDERER_OUT = path.join(PROJECT_ROOT, 'out', 'renderer');
export const BRIDGE_OUT = path.join(PROJECT_ROOT, 'out', 'preview', 'bridge.js');

/** Files the two bundles are built from; a build older than any of them is rebuilt. */
const SOURCES = ['renderer', 'preload/contract', 'preload/web.ts', 'package-lock.json'];

function newestMtime(entry: string): number {
  if (!existsSync(entry)) return 0;
  const info = statSync(entry);
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs;
  for (const child of readdirSync(entry)) newest = Math.max(newest, newestMtime(path.join(entry, child)));
  return newest;
}

export function isBuildCurrent(): boolean {
  const index = path.join(RENDERER_OUT, 'index.html');
  if (!existsSync(index) || !existsSync(BRIDGE_OUT)) return false;
  const built = Math.min(statSync(index).mtimeMs, statSync(BRIDGE_OUT).mtimeMs);
  return SOURCES.every((source) => newestMtime(path.join(PROJECT_ROOT, source)) <= built);
}

/** Builds the renderer and the preview bridge with vite when they are missing or older than their sources. */
export async function ensureBuilt(options: { force?: boolean; log?: (line: string) => void } = {}): Promise<void> {
  if (!options.force && isBuildCurrent()) return;
  options.log?.('Building the renderer…');
  // vite is a build tool: loaded only when a build is needed, never at run time of a current build.
  const { build } = await import('vite');
  const { rendererConfig } = await import('../../renderer/vite.config');
  // Always React's production build, also when a test runner (NODE_ENV=test) triggers the build: the preview host
  // serves what users run, and benchmarks measure it. The React plugin reads NODE_ENV itself, so it is set for the build.
  const previousNodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await buildBundles(build, rendererConfig);
  } finally {
    if (previousNodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = previousNodeEnv;
  }
}

async function buildBundles(build: typeof ViteBuild, rendererConfig: UserConfig): Promise<void> {
  const production = { mode: 'production' } as const;
  await build({ ...rendererConfig, ...production, configFile: false, logLevel: 'warn' });
  await build({
    ...production,
    configFile: false,
    logLevel: 'warn',
    publicDir: false,
    build: {
      outDir: path.dirname(BRIDGE_OUT),
      emptyOutDir: true,
      target: 'chrome140',
      minify: true,
      lib: {
        entry: path.join(PROJECT_ROOT, 'preload', 'web.ts'),
        formats: ['iife'],
        name: 'omoBridge',
        fileName: () => path.basename(BRIDGE_OUT),
      },
    },
  });
}
