import { appendFileSync, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

/** Structured logging. Fields are redacted before they are written (see createFileLogger). */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** A logger that drops everything (for unit tests that do not look at logs). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const REDACTED = '[REDACTED]';

/** Field names whose values are never written, at any depth. */
const SECRET_KEY = /token|secret|password|passwd|authorization|cookie|api[-_]?key|credential|retry[-_]?key/i;
/** `Bearer <credential>` anywhere in a string (headers pasted into messages, axios error texts). */
const BEARER = /\bBearer\s+[^\s"'<>,;]+/gi;
/** `?access_token=…` and friends in URLs: the query parameter's name decides, like a field name. */
const QUERY_PARAM = /([?&;])([^=&\s"'#?;]+)=([^&\s"'#;]*)/g;
const MAX_DEPTH = 6;
const MAX_ARRAY_ITEMS = 100;
/** Shorter "secrets" would redact ordinary words; the vault's tokens are far longer. */
const MIN_SECRET_LENGTH = 6;

/** Removes credentials from free text: Bearer tokens, secret query parameters and every known secret value. */
export function redactText(text: string, secrets: readonly string[] = []): string {
  let result = text.replace(BEARER, `Bearer ${REDACTED}`);
  result = result.replace(QUERY_PARAM, (match, separator: string, name: string) =>
    SECRET_KEY.test(name) ? `${separator}${name}=${REDACTED}` : match,
  );
  for (const secret of secrets) {
    if (result.includes(secret)) result = result.split(secret).join(REDACTED);
  }
  return result;
}

/** Known secrets, longest first so a secret containing another is replaced whole. */
function normaliseSecrets(values: Iterable<string> | undefined): string[] {
  if (values === undefined) return [];
  const unique = new Set<string>();
  for (const value of values) if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) unique.add(value);
  return [...unique].sort((a, b) => b.length - a.length);
}

/**
 * A JSON-safe copy of `value` with every secret removed: secret-named keys at any depth, Bearer tokens and known
 * secret values inside strings, Errors as {name, message, stack, code, cause}. Cycles and depth > 6 become
 * markers instead of throwing.
 */
export function redactValue(value: unknown, secrets: readonly string[] = []): unknown {
  const ancestors = new Set<object>();

  const visit = (current: unknown, depth: number): unknown => {
    switch (typeof current) {
      case 'string':
        return redactText(current, secrets);
      case 'number':
        return Number.isFinite(current) ? current : String(current);
      case 'boolean':
        return current;
      case 'bigint':
        return current.toString();
      case 'undefined':
        return undefined;
      case 'symbol':
        return redactText(current.toString(), secrets);
      case 'function':
        return `[Function ${current.name || 'anonymous'}]`;
      default:
        break;
    }
    if (current === null) return null;
    const object = current as object;
    if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
    if (object instanceof URL) return redactText(object.href, secrets);
    // Raw bytes could be anything, a key file included: only their size is logged.
    if (ArrayBuffer.isView(object) || object instanceof ArrayBuffer) return `[Binary ${object.byteLength} bytes]`;
    if (ancestors.has(object)) return '[Circular]';
    if (depth >= MAX_DEPTH) return '[Truncated]';
    ancestors.add(object);
    try {
      if (object instanceof Error) {
        const shown: Record<string, unknown> = {
          name: visit(object.name, depth + 1),
          message: visit(object.message, depth + 1),
          stack: visit(object.stack, depth + 1),
        };
        const { code } = object as { code?: unknown };
        if (typeof code === 'string' || typeof code === 'number') shown.code = code;
        if (object.cause !== undefined) shown.cause = visit(object.cause, depth + 1);
        return shown;
      }
      if (Array.isArray(object) || object instanceof Set) {
        const items = [...(object as Iterable<unknown>)];
        const shown = items.slice(0, MAX_ARRAY_ITEMS).map((item) => visit(item, depth + 1));
        if (items.length > MAX_ARRAY_ITEMS) shown.push(`[${items.length - MAX_ARRAY_ITEMS} more]`);
        return shown;
      }
      const entries: Array<[unknown, unknown]> =
        object instanceof Map ? [...(object as Map<unknown, unknown>)] : Object.entries(object);
      const shown: Record<string, unknown> = {};
      for (const [rawKey, item] of entries) {
        const key = typeof rawKey === 'string' ? rawKey : String(rawKey);
        shown[redactText(key, secrets)] = SECRET_KEY.test(key) ? REDACTED : visit(item, depth + 1);
      }
      return shown;
    } catch {
      // A throwing getter or proxy: the entry stays readable without the part that failed.
      return '[Unreadable]';
    } finally {
      ancestors.delete(object);
    }
  };

  return visit(value, 0);
}

export interface FileLoggerOptions {
  /** Folder of the log files; created if missing. */
  dir: string;
  fileName?: string;
  /** Rotate before the file would grow past this size. */
  maxBytes?: number;
  /** How many files to keep in all: main.log, main.log.1, … main.log.(maxFiles - 1). */
  maxFiles?: number;
  level?: LogLevel;
  /** The secrets known right now (vault tokens, session token); called per entry, so new secrets are covered. */
  secrets?: () => Iterable<string>;
  clock?: () => number;
  /** Also write each line to stderr (development). */
  echo?: boolean;
}

export type FileLogger = Logger & { close(): void; readonly file: string };

/**
 * A JSON-lines logger over synchronous appends (each entry is on disk before the call returns, so a crash loses
 * nothing already logged), with size rotation and redaction. It never throws: a failed write is reported once on
 * the console and then dropped.
 */
export function createFileLogger(options: FileLoggerOptions): FileLogger {
  const file = path.join(options.dir, options.fileName ?? 'main.log');
  const maxBytes = Math.max(1, options.maxBytes ?? 1024 * 1024);
  const maxFiles = Math.max(1, Math.trunc(options.maxFiles ?? 3));
  const threshold = LEVEL_RANK[options.level ?? 'info'];
  const clock = options.clock ?? Date.now;
  let size = 0;
  let closed = false;
  let reportedFailure = false;

  const fail = (error: unknown): void => {
    if (reportedFailure) return;
    reportedFailure = true;
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`[log] cannot write ${file}: ${redactText(reason)}; further failures are silent`);
  };

  try {
    mkdirSync(options.dir, { recursive: true });
    size = existsSync(file) ? statSync(file).size : 0;
  } catch (error) {
    fail(error);
  }

  const rotate = (): void => {
    if (maxFiles === 1) {
      rmSync(file, { force: true });
      return;
    }
    rmSync(`${file}.${maxFiles - 1}`, { force: true });
    for (let index = maxFiles - 2; index >= 1; index -= 1) {
      if (existsSync(`${file}.${index}`)) renameSync(`${file}.${index}`, `${file}.${index + 1}`);
    }
    renameSync(file, `${file}.1`);
  };

  const format = (level: LogLevel, message: string, fields: LogFields | undefined): string => {
    let secrets: string[];
    try {
      secrets = normaliseSecrets(options.secrets?.());
    } catch {
      // Without the list we cannot promise redaction of free text: keep the entry's shape, drop its words.
      return JSON.stringify({ time: isoTime(clock), level, msg: '[entry dropped: secrets unavailable]' });
    }
    const entry: Record<string, unknown> = { time: isoTime(clock), level, msg: redactText(String(message), secrets) };
    if (fields !== undefined && Object.keys(fields).length > 0) entry.fields = redactValue(fields, secrets);
    return JSON.stringify(entry);
  };

  const write = (level: LogLevel, message: string, fields?: LogFields): void => {
    if (closed || LEVEL_RANK[level] < threshold) return;
    try {
      const line = `${format(level, message, fields)}\n`;
      const bytes = Buffer.byteLength(line);
      if (size > 0 && size + bytes > maxBytes) {
        rotate();
        size = 0;
      }
      appendFileSync(file, line);
      size += bytes;
      if (options.echo === true) process.stderr.write(line);
    } catch (error) {
      fail(error);
    }
  };

  return {
    file,
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    close() {
      closed = true;
    },
  };
}

function isoTime(clock: () => number): string {
  const date = new Date(clock());
  return Number.isNaN(date.getTime()) ? new Date().toISOString() : date.toISOString();
}
