/**
 * A server in a process of its own for the sandbox benchmark (so the load generator does not share its event loop).
 * Default: the sandbox with limits lifted and the ledger on. `bare`: the machine's ceiling for the same traffic, a
 * plain Node server that only parses the JSON body. Prints one JSON line: origin, a LINE token and 500 user ids.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UNLIMITED } from '../../main/sandbox/context';
import { startSandbox } from '../../main/sandbox/server';

function announce(origin: string, token: string, userIds: string[], close: () => Promise<void>): void {
  process.stdout.write(`${JSON.stringify({ origin, token, userIds: userIds.slice(0, 500) })}\n`);
  process.on('SIGTERM', () => void close().finally(() => process.exit(0)));
}

if (process.argv[2] === 'bare') {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 });
      res.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const ids = Array.from({ length: 500 }, (_, index) => `U${index.toString(16).padStart(32, '0')}`);
  announce(`http://127.0.0.1:${port}`, 'bare', ids, () => new Promise((resolve) => server.close(() => resolve())));
} else {
  const sandbox = await startSandbox({ events: 3000, seed: 11, limits: UNLIMITED });
  const { world } = sandbox.context;
  const usersOf = (channelId: string) => [...world.lineUsers.values()].filter((user) => user.channelId === channelId);
  const channel = [...world.lineChannels].sort((a, b) => usersOf(b.id).length - usersOf(a.id).length)[0];
  if (!channel) throw new Error('the world has no LINE channel');
  announce(sandbox.origin, channel.accessToken, usersOf(channel.id).map((user) => user.userId), () => sandbox.close());
}
