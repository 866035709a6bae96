/**
 * `npm run bench [-- name-filter]`: runs every test/bench/*.bench.ts and writes test/bench/RESULTS.md. Each figure is
 * a ratio against a baseline measured in the same run, so a slow or busy machine does not move the verdict much.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchRow, Benchmark } from './types';

const here = path.dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];

const files = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => !filter || file.includes(filter))
  .sort();

const sections: Array<{ title: string; file: string; rows: BenchRow[] }> = [];
for (const file of files) {
  const module = (await import(pathToFileURL(path.join(here, file)).href)) as { benchmark?: Benchmark };
  if (!module.benchmark) throw new Error(`${file} exports no \`benchmark\``);
  console.log(`▶ ${module.benchmark.title}`);
  const rows = await module.benchmark.run();
  for (const row of rows) {
    console.log(`  ${row.pass ? 'pass' : 'MISS'}  ${row.name}: ${row.measured} vs ${row.baseline} → ${row.ratio.toFixed(2)} (target ${row.target})`);
  }
  sections.push({ title: module.benchmark.title, file, rows });
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const lines = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)} — ${os.cpus().length} × ${cpu}, ` +
    `${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}.`,
  '',
  'Each figure is compared with a baseline measured in the same run; the ratio is what the target is written in.',
  '',
];
for (const section of sections) {
  lines.push(`## ${section.title}`, '', `Source: \`test/bench/${section.file}\``, '');
  lines.push('| measure | measured | baseline (same run) | ratio | target | verdict | notes |', '|---|---|---|---|---|---|---|');
  for (const row of section.rows) {
    lines.push(
      `| ${row.name} | ${row.measured} | ${row.baseline} | ${row.ratio.toFixed(2)} | ${row.target} | ${row.pass ? 'pass' : '**miss**'} | ${row.notes ?? ''} |`,
    );
  }
  lines.push('');
}
if (!filter) writeFileSync(path.join(here, 'RESULTS.md'), `${lines.join('\n')}`);
else console.log('(filtered run: RESULTS.md not rewritten)');

const missed = sections.flatMap((section) => section.rows).filter((row) => !row.pass);
if (missed.length > 0) {
  console.error(`${missed.length} target(s) missed`);
  process.exitCode = 1;
}
