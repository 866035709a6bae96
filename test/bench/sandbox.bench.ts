import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow, Benchmark } from './types';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LINE_REAL_MULTICAST_LIMIT = 200;
const WARMUP_MS = 1000;
const MEASURE_MS = 5000;
const CONCURRENCY = 64;
const SERVER_SCRIPT = path.join('test', 'bench', 'sandbox-server.ts');

interface Target {
  origin: string;
  token: string;
  userIds: string[];
}

function startChild(...args: string[]): Promise<{ child: ChildProcess; target: Target }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_SCRIPT, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve({ child, target: JSON.parse(line) as Target });
    });
    child.once('exit', (code) => reject(new Error(`benchmark server exited with ${code}`)));
  });
}

/** Sends multicast requests with `CONCURRENCY` in flight for `ms`, counting 200s. */
async function load(target: Target, ms: number): Promise<{ ok: number; failed: number; seconds: number }> {
  const url = new URL('/v2/bot/message/multicast', target.origin);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  let ok = 0;
  let failed = 0;
  let sequence = 0;
  const started = performance.now();
  const until = started + ms;
  const one = (): Promise<void> =>
    new Promise((resolve) => {
      // A distinct text per request, as a real send would have: the sandbox hashes what it records.
      const body = JSON.stringify({
        to: target.userIds,
        messages: [
          { type: 'image', originalContentUrl: 'https://cdn.example.com/a.jpg', previewImageUrl: 'https://cdn.example.com/a-preview.jpg' },
          { type: 'text', text: `本週新品到貨 #${sequence++}` },
        ],
      });
      const req = http.request(
        url,
        { method: 'POST', agent, headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) ok += 1;
            else failed += 1;
            resolve();
          });
        },
      );
      req.on('error', () => {
        failed += 1;
        resolve();
      });
      req.end(body);
    });
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < until) await one();
    }),
  );
  agent.destroy();
  return { ok, failed, seconds: (performance.now() - started) / 1000 };
}

export const benchmark: Benchmark = {
  title: 'Sandbox throughput (LINE multicast, limits lifted, ledger on)',
  async run(): Promise<BenchRow[]> {
    const { child, target } = await startChild();
    try {
      if (target.userIds.length < 500) throw new Error(`only ${target.userIds.length} LINE users in the benchmark world`);
      await load(target, WARMUP_MS);
      const run = await load(target, MEASURE_MS);
      const ledger = (await (await fetch(`${target.origin}/_sandbox/ledger?count=only`)).json()) as { count: number };
      const rate = run.ok / run.seconds;

      child.kill('SIGTERM');
      const bare = await startChild('bare');
      await load(bare.target, WARMUP_MS);
      const bareRun = await load(bare.target, MEASURE_MS);
      bare.child.kill('SIGTERM');
      const bareRate = bareRun.ok / bareRun.seconds;

      return [
        {
          name: 'Multicast requests of 500 recipients (image + text) per second',
          measured: `${Math.round(rate).toLocaleString('en')} req/s (${Math.round(rate * 500).toLocaleString('en')} recipients/s)`,
          baseline: `LINE's real multicast limit: ${LINE_REAL_MULTICAST_LIMIT} req/s`,
          ratio: rate / LINE_REAL_MULTICAST_LIMIT,
          target: '≥ 5 (≥ 1,000 req/s)',
          pass: rate >= 5 * LINE_REAL_MULTICAST_LIMIT && run.failed === 0,
          notes:
            `${CONCURRENCY} requests in flight for ${MEASURE_MS / 1000} s after a ${WARMUP_MS / 1000} s warm-up; sandbox in its own process; ` +
            `${run.failed} non-200; ledger holds ${ledger.count.toLocaleString('en')} entries. Same run, a bare Node server that only parses ` +
            `the JSON: ${Math.round(bareRate).toLocaleString('en')} req/s (sandbox at ${((rate / bareRate) * 100).toFixed(0)} % of it).`,
        },
      ];
    } finally {
      child.kill('SIGTERM');
    }
  },
};
