/**
 * `npm run preview -- [--port <p>] [--data <dir>] [--rebuild]`: runs main's core in Node and serves the real renderer
 * to a browser on 127.0.0.1. Prints exactly one line for people and tests: `Preview: http://127.0.0.1:<p>/?key=<k>`.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { APP_NAME, createApp } from '../app';
import { createFileLogger } from '../log';
import { ManualNetworkStatus } from '../network';
import { MemoryVault } from '../vault';
import { BRIDGE_OUT, PROJECT_ROOT, RENDERER_OUT, ensureBuilt } from './build';
import { startPreviewHost } from './server';

/** The per-user app-data folder, as Electron's app.getPath('appData') finds it, with a folder of the preview's own. */
export function defaultDataDir(): string {
  const home = os.homedir();
  const base =
    process.platform === 'win32'
      ? (process.env.APPDATA ?? path.join(home, 'AppData', 'Roaming'))
      : process.platform === 'darwin'
        ? path.join(home, 'Library', 'Application Support')
        : (process.env.XDG_CONFIG_HOME ?? path.join(home, '.config'));
  return path.join(base, `${APP_NAME} Preview`);
}

function fail(message: string): never {
  console.error(`preview: ${message}`);
  process.exit(2);
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: {
        port: { type: 'string' },
        data: { type: 'string' },
        rebuild: { type: 'boolean' },
        'no-demo': { type: 'boolean' },
        'demo-events': { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail(`${(error as Error).message}\nUsage: npm run preview -- [--port <p>] [--data <dir>] [--rebuild] [--no-demo] [--demo-events N]`);
  }
  const port = args.port === undefined ? 0 : Number(args.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, got "${args.port}"`);
  const dataDir = path.resolve(args.data ?? defaultDataDir());
  const demoEvents = args['demo-events'] === undefined ? undefined : Number(args['demo-events']);
  if (demoEvents !== undefined && (!Number.isInteger(demoEvents) || demoEvents < 0 || demoEvents > 1_000_000)) {
    fail(`--demo-events must be an integer from 0 to 1,000,000, got "${args['demo-events']}"`);
  }

  await ensureBuilt({ force: args.rebuild === true, log: (line) => console.error(line) });

  const version = (JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  let app: ReturnType<typeof createApp> | undefined;
  const logger = createFileLogger({ dir: path.join(dataDir, 'logs'), secrets: () => app?.secretValues() ?? [] });
  try {
    app = createApp({
      dataDir,
      version,
      transport: 'preview',
      vault: new MemoryVault(),
      network: new ManualNetworkStatus(true),
      logger,
      // The preview opens the demo workspace unless told otherwise.
      defaultWorkspace: args['no-demo'] === true ? 'ask' : 'demo',
      ...(demoEvents === undefined ? {} : { demoEvents }),
    });
  } catch (error) {
    fail((error as Error).message);
  }
  await app.ready;
  const host = await startPreviewHost({ app, logger, rendererDir: RENDERER_OUT, bridgeFile: BRIDGE_OUT, port });
  logger.info('preview host started', { port: host.port, dataDir });
  process.stdout.write(`Preview: ${host.url}\n`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void host
      .close()
      .then(() => app.close())
      .finally(() => {
        logger.close();
        process.exit(0);
      });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
