import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface RunningPreview {
  url: string;
  port: number;
  child: ChildProcess;
  output: () => string;
  stop(): Promise<void>;
}

/** Starts `npm run preview`'s program exactly as the command does, and waits for its one `Preview:` line. */
export function startPreview(args: string[], timeoutMs = 150_000): Promise<RunningPreview> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('main', 'preview', 'cli.ts'), ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`preview did not start within ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`preview exited with ${code}\n${stdout}\n${stderr}`));
    });
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^Preview: (http:\/\/127\.0\.0\.1:(\d+)\/\?key=[\w-]+)$/m.exec(stdout);
      if (!match?.[1] || !match[2]) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        url: match[1],
        port: Number(match[2]),
        child,
        output: () => stdout + stderr,
        stop: () =>
          new Promise((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
