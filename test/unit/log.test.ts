import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { REDACTED, createFileLogger, redactValue } from '../../main/log';
import { makeTempDir } from '../helpers/tmp';

const NOW = Date.UTC(2025, 0, 15, 9, 0, 0);
const clock = (): number => NOW;

/** Every byte of every log file in `dir`, so a secret that leaked into a rotated file is found too. */
function allBytes(dir: string): string {
  return readdirSync(dir)
    .map((name) => readFileSync(path.join(dir, name), 'latin1'))
    .join('\n');
}

function entries(file: string): Array<Record<string, unknown>> {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('createFileLogger', () => {
  it('writes one JSON line per entry with time, level, message and fields, above the level', () => {
    const dir = makeTempDir('log');
    const logger = createFileLogger({ dir, clock, level: 'info' });
    logger.debug('not written');
    logger.info('sync done', { count: 3, when: new Date(NOW), big: 10n });
    logger.warn('no fields');
    expect(logger.file).toBe(path.join(dir, 'main.log'));
    expect(entries(logger.file)).toEqual([
      {
        time: '2025-01-15T09:00:00.000Z',
        level: 'info',
        msg: 'sync done',
        fields: { count: 3, when: '2025-01-15T09:00:00.000Z', big: '10' },
      },
      { time: '2025-01-15T09:00:00.000Z', level: 'warn', msg: 'no fields' },
    ]);
    logger.close();
    logger.error('after close');
    expect(entries(logger.file)).toHaveLength(2);
  });

  it('never writes a token: secret-named fields, Bearer headers, errors, registered secrets, URLs', () => {
    const dir = makeTempDir('log');
    const accessToken = 'atk_9f8e7d6c5b4a39281706';
    const bearer = 'abcDEF123.ghi-456_jkl=';
    const channelSecret = 'chsec-5e3b1f0a99c4';
    const vaultToken = 'EAAG-line-long-lived-7777';
    const logger = createFileLogger({ dir, clock, secrets: () => [vaultToken, channelSecret, 'short'] });

    logger.info('login', { accessToken, user: { id: 'u1', password: 'hunter2-long' } });
    logger.info('request', {
      request: { headers: { Authorization: `Bearer ${bearer}`, 'X-Line-Retry-Key': 'retry-uuid-1234', accept: 'json' } },
      set: new Map([['Set-Cookie', 'session=abcdef123456']]),
      apiKey: 'k-123456789',
      list: [{ client_secret: 'nested-secret-1' }],
    });
    const error = new Error(`401 from LINE: Authorization: Bearer ${bearer} rejected`, {
      cause: new Error(`token ${vaultToken} expired`),
    });
    logger.error('send failed', { error });
    logger.warn(`free text mentions ${vaultToken} and Bearer ${bearer} and ${channelSecret}`, {
      note: `see https://graph.facebook.com/v21.0/me?fields=id&access_token=${accessToken}&x=1`,
    });
    logger.close();

    const bytes = allBytes(dir);
    for (const secret of [accessToken, bearer, channelSecret, vaultToken, 'hunter2-long', 'retry-uuid-1234',
      'abcdef123456', 'k-123456789', 'nested-secret-1']) {
      expect(bytes, secret).not.toContain(secret);
    }

    const [login, request, failed, free] = entries(logger.file);
    expect(login?.fields).toEqual({ accessToken: REDACTED, user: { id: 'u1', password: REDACTED } });
    expect(request?.fields).toMatchObject({
      request: { headers: { Authorization: REDACTED, 'X-Line-Retry-Key': REDACTED, accept: 'json' } },
      set: { 'Set-Cookie': REDACTED },
      apiKey: REDACTED,
      list: [{ client_secret: REDACTED }],
    });
    const logged = (failed?.fields as { error: Record<string, unknown> }).error;
    expect(logged.name).toBe('Error');
    expect(logged.message).toBe(`401 from LINE: Authorization: Bearer ${REDACTED} rejected`);
    expect(logged.stack).toContain(`Bearer ${REDACTED}`);
    expect(logged.cause).toMatchObject({ message: `token ${REDACTED} expired` });
    expect(free?.msg).toBe(`free text mentions ${REDACTED} and Bearer ${REDACTED} and ${REDACTED}`);
    expect((free?.fields as { note: string }).note).toBe(
      `see https://graph.facebook.com/v21.0/me?fields=id&access_token=${REDACTED}&x=1`,
    );
  });

  it('asks for the secrets on every entry, so a secret added later is covered', () => {
    const dir = makeTempDir('log');
    const known: string[] = [];
    const logger = createFileLogger({ dir, clock, secrets: () => known });
    known.push('added-after-start-123');
    logger.info('value added-after-start-123 here');
    expect(allBytes(dir)).not.toContain('added-after-start-123');
  });

  it('drops the text of an entry when the secret list cannot be read', () => {
    const dir = makeTempDir('log');
    const logger = createFileLogger({
      dir,
      clock,
      secrets: () => {
        throw new Error('vault locked');
      },
    });
    logger.info('may contain a-secret-value');
    expect(allBytes(dir)).not.toContain('a-secret-value');
    expect(entries(logger.file)).toHaveLength(1);
  });

  it('rotates main.log → main.log.1 → main.log.2 and keeps maxFiles files', () => {
    const dir = makeTempDir('log');
    const logger = createFileLogger({ dir, clock, maxBytes: 400, maxFiles: 3 });
    for (let index = 0; index < 60; index += 1) logger.info(`entry ${index}`, { padding: 'x'.repeat(40) });
    logger.close();
    expect(readdirSync(dir).sort()).toEqual(['main.log', 'main.log.1', 'main.log.2']);
    for (const name of readdirSync(dir)) {
      expect(readFileSync(path.join(dir, name)).byteLength, name).toBeLessThanOrEqual(400);
    }
    // Newest entries in main.log, the previous ones in .1, older in .2; nothing older survives.
    const last = entries(logger.file).at(-1);
    expect(last?.msg).toBe('entry 59');
    const firstOfCurrent = Number(String(entries(logger.file)[0]?.msg).split(' ')[1]);
    const lastOfPrevious = Number(String(entries(`${logger.file}.1`).at(-1)?.msg).split(' ')[1]);
    const lastOfOldest = Number(String(entries(`${logger.file}.2`).at(-1)?.msg).split(' ')[1]);
    expect(lastOfPrevious).toBe(firstOfCurrent - 1);
    expect(lastOfOldest).toBeLessThan(lastOfPrevious);
    expect(allBytes(dir)).not.toContain('"entry 0"');
  });

  it('continues the size of an existing file across restarts', () => {
    const dir = makeTempDir('log');
    const first = createFileLogger({ dir, clock, maxBytes: 300, maxFiles: 2 });
    first.info('a'.repeat(200));
    first.close();
    const second = createFileLogger({ dir, clock, maxBytes: 300, maxFiles: 2 });
    second.info('b'.repeat(200));
    expect(existsSync(`${second.file}.1`)).toBe(true);
    expect(entries(second.file)).toHaveLength(1);
  });

  it('survives cycles, deep nesting, throwing getters and odd values', () => {
    const dir = makeTempDir('log');
    const logger = createFileLogger({ dir, clock });
    const cyclic: Record<string, unknown> = { name: 'root' };
    cyclic.self = cyclic;
    cyclic.list = [cyclic, { back: cyclic }];
    let deep: Record<string, unknown> = { leaf: true };
    for (let index = 0; index < 20; index += 1) deep = { next: deep };
    const hostile = {
      get boom(): never {
        throw new Error('getter');
      },
    };
    const shared = { reused: 1 };
    expect(() =>
      logger.info('odd', {
        cyclic,
        deep,
        hostile,
        shared: [shared, shared],
        fn: function named() {},
        sym: Symbol('s'),
        nan: Number.NaN,
        bytes: Buffer.from('secret bytes'),
      }),
    ).not.toThrow();
    const [entry] = entries(logger.file);
    const fields = entry?.fields as Record<string, unknown>;
    expect(fields.cyclic).toEqual({ name: 'root', self: '[Circular]', list: ['[Circular]', { back: '[Circular]' }] });
    expect(JSON.stringify(fields.deep)).toContain('[Truncated]');
    expect(fields.hostile).toBe('[Unreadable]');
    expect(fields.shared).toEqual([{ reused: 1 }, { reused: 1 }]);
    expect(fields.fn).toBe('[Function named]');
    expect(fields.nan).toBe('NaN');
    expect(fields.bytes).toBe('[Binary 12 bytes]');
  });

  it('never throws when the file cannot be written, and says so once', () => {
    const dir = makeTempDir('log');
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      // The "file" is a directory: every append fails.
      mkdirSync(path.join(dir, 'main.log'));
      const logger = createFileLogger({ dir });
      expect(() => {
        logger.info('one');
        logger.error('two');
      }).not.toThrow();
      expect(consoleError).toHaveBeenCalledTimes(1);
    } finally {
      consoleError.mockRestore();
    }
  });
});

describe('redactValue', () => {
  it('leaves ordinary data alone', () => {
    const value = { id: 'evt-1', tags: ['vip'], count: 2, nested: { channel: 'line', ok: true, none: null } };
    expect(redactValue(value)).toEqual(value);
  });
});
