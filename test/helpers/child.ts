import { spawn } from 'node:child_process';
import { PROJECT_ROOT } from './preview';

export interface ChildOutcome<L> {
  lines: L[];
  signal: NodeJS.Signals | null;
  code: number | null;
  stderr: string;
}

/**
 * Runs a TypeScript script in a child Node process (through tsx), parses each stdout line with `parse`, and SIGKILLs
 * the child the moment `killOn` says so: the crash tests' way of killing at an exact point of the work.
 */
export function runTsChild<L>(
  script: string,
  args: string[],
  options: { parse: (line: string) => L; killOn?: (line: L) => boolean; env?: NodeJS.ProcessEnv },
): Promise<ChildOutcome<L>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: PROJECT_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.env ? { env: options.env } : {}),
    });
    const lines: L[] = [];
    let buffered = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (data: string) => {
      buffered += data;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const line = options.parse(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        lines.push(line);
        if (options.killOn?.(line)) child.kill('SIGKILL');
        newline = buffered.indexOf('\n');
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (data: string) => {
      stderr += data;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ lines, signal, code, stderr }));
  });
}
