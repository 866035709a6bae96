import { spawn } from 'node:child_process';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../helpers/preview';

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Runs `npm run sandbox`'s program until it has printed the logins, then stops it. */
function runSandboxCli(args: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'main/sandbox/cli.ts', ...args], { cwd: PROJECT_ROOT });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    if (stdout.includes('/_sandbox/ledger')) child.kill('SIGTERM');
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ stdout, stderr, code })));
}

describe('npm run sandbox', () => {
  it('starts on the given port, prints its URL and the demo logins', async () => {
    const port = await freePort();
    const { stdout } = await runSandboxCli(['--port', String(port), '--events', '50', '--seed', '5']);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`Sandbox: http://127.0.0.1:${port}`);
    for (const account of ['manager@demo', 'sales@demo', 'sales2@demo', 'agent@demo', 'admin@demo', 'standard@demo']) {
      expect(stdout).toContain(account);
    }
    expect(stdout).toContain('50 events');
  });

  it('refuses a bad option with a usage line and exit code 2', async () => {
    const { stderr, code } = await runSandboxCli(['--events', 'many']);
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: npm run sandbox');
  });
});
