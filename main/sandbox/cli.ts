/**
 * `npm run sandbox -- [--port <p>] [--events N] [--seed S] [--unlimited]`: the loopback emulator of LINE, WhatsApp
 * and the Inbox API on its own. Prints `Sandbox: http://127.0.0.1:<p>` and the demo logins; use that URL as the
 * Inbox URL when connecting the app, and every channel the sandbox lists points back at it.
 */
import { parseArgs } from 'node:util';
import { UNLIMITED } from './context';
import { FEATURED_DEMO_ACCOUNTS } from './seed';
import { startSandbox } from './server';

function fail(message: string): never {
  console.error(`sandbox: ${message}\nUsage: npm run sandbox -- [--port <p>] [--events N] [--seed S] [--unlimited]`);
  process.exit(2);
}

function integerOption(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) fail(`--${name} must be an integer from ${min} to ${max}, got "${value}"`);
  return parsed;
}

async function main(): Promise<void> {
  let values;
  try {
    values = parseArgs({
      options: {
        port: { type: 'string' },
        events: { type: 'string' },
        seed: { type: 'string' },
        unlimited: { type: 'boolean' },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
  const port = integerOption(values.port, 'port', 0, 65535);
  const events = integerOption(values.events, 'events', 0, 1_000_000);
  const seed = integerOption(values.seed, 'seed', 0, 2 ** 31 - 1);
  const sandbox = await startSandbox({
    ...(port === undefined ? {} : { port }),
    ...(events === undefined ? {} : { events }),
    ...(seed === undefined ? {} : { seed }),
    ...(values.unlimited ? { limits: UNLIMITED } : {}),
  });
  const out = process.stdout;
  out.write(`Sandbox: ${sandbox.origin}\n`);
  out.write('Demo logins (password "demo" for all):\n');
  const { users } = sandbox.context.world;
  for (const user of FEATURED_DEMO_ACCOUNTS.flatMap((account) => users.filter((candidate) => candidate.account === account))) {
    const workspace = sandbox.context.world.workspaces.find((candidate) => candidate.id === user.workspaceId);
    out.write(`  ${user.account.padEnd(15)} ${user.role.padEnd(14)} plan ${workspace?.plan ?? '?'}  ${user.name}\n`);
  }
  out.write(`  …and ${users.length - FEATURED_DEMO_ACCOUNTS.length} more sales staff (see GET /v1/me after signing in)\n`);
  out.write(`${sandbox.context.world.events.length} events; ledger at ${sandbox.origin}/_sandbox/ledger\n`);

  const stop = (): void => {
    void sandbox.close().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
