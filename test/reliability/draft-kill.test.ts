import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Draft, Result } from '../../preload/contract';
import { type App, createApp } from '../../main/app';
import { silentLogger } from '../../main/log';
import { ManualNetworkStatus } from '../../main/network';
import { MemoryVault } from '../../main/vault';
import { runTsChild } from '../helpers/child';
import { createTempDir } from '../helpers/tmp';

/**
 * Kill-and-reopen: the process composing a draft is SIGKILLed mid-typing or mid-image-import, then the app opens the
 * same folder. Every save main acknowledged is there, whole (text, image, template part, selection); no image row
 * points at a missing file, and the files of an import cut short are swept at start-up.
 */

type Line =
  | { kind: 'ready'; id: string; sha256: string }
  | { kind: 'saved'; save: number }
  | { kind: 'image'; index: number; sha256: string };

const CHILD = 'test/reliability/draft-child.ts';
const cleanups: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function value<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

async function reopen(dir: string): Promise<App> {
  const app = createApp({ dataDir: dir, version: '0.0.0-test', transport: 'preview', logger: silentLogger, vault: new MemoryVault(), network: new ManualNetworkStatus(true) });
  cleanups.push(() => app.close());
  await app.ready;
  return app;
}

function killedChild(dir: string, mode: 'typing' | 'images', killOn: (line: Line) => boolean) {
  return runTsChild<Line>(CHILD, [dir, mode], { parse: (line) => JSON.parse(line) as Line, killOn });
}

describe('a draft survives a SIGKILL', () => {
  it.each([3, 40])('mid-typing, after save %i: the last acknowledged text, image, template and selection are intact', async (killAfter) => {
    const temp = createTempDir('draft-kill');
    cleanups.push(() => temp.cleanup());
    const outcome = await killedChild(temp.dir, 'typing', (line) => line.kind === 'saved' && line.save === killAfter);
    expect(outcome.signal, outcome.stderr).toBe('SIGKILL');
    const ready = outcome.lines.find((line) => line.kind === 'ready');
    const saves = outcome.lines.filter((line): line is Extract<Line, { kind: 'saved' }> => line.kind === 'saved');
    // The kill lands on the line for save `killAfter`; lines already in the pipe may follow it.
    const killedAt = saves.find((line) => line.save === killAfter);
    const last = saves.at(-1);
    if (ready?.kind !== 'ready' || killedAt === undefined || last === undefined) throw new Error('the child did not get going');

    const app = await reopen(temp.dir);
    const draft = value<Draft>(await app.dispatch('drafts.get', { id: ready.id }));
    // The text of one whole save, the last reported or a later one (written before its line got out): never older,
    // never a mix.
    const saved = (count: number): string => Array.from({ length: count }, (_, index) => `第 ${index + 1} 段文字。`).join('');
    const segments = (draft.text.match(/段文字。/g) ?? []).length;
    expect(segments).toBeGreaterThanOrEqual(last.save);
    expect(segments).toBeGreaterThanOrEqual(killedAt.save);
    expect(draft.text).toBe(saved(segments));
    expect(draft.image?.sha256).toBe(ready.sha256);
    expect(draft.image?.name).toBe('photo-0.jpg');
    expect(draft.selection).toEqual(['evt-1', 'evt-2', 'evt-3']);
    expect(draft.whatsapp.numbers[0]?.template).toEqual({ name: 'new_arrival', language: 'zh_TW' });
    expect((await app.image(ready.sha256, 'thumb'))?.body.length).toBeGreaterThan(0);
  });

  it.each([1, 4])('mid-image-import, after image %i: the draft keeps a stored image, and stray files are swept', async (killAfter) => {
    const temp = createTempDir('draft-kill-images');
    cleanups.push(() => temp.cleanup());
    const outcome = await killedChild(temp.dir, 'images', (line) => line.kind === 'image' && line.index === killAfter);
    expect(outcome.signal, outcome.stderr).toBe('SIGKILL');
    const ready = outcome.lines.find((line) => line.kind === 'ready');
    if (ready?.kind !== 'ready') throw new Error('the child did not get going');

    const app = await reopen(temp.dir);
    const draft = value<Draft>(await app.dispatch('drafts.get', { id: ready.id }));
    const images = outcome.lines.filter((line): line is Extract<Line, { kind: 'image' }> => line.kind === 'image');
    const acknowledged = images.map((line) => line.sha256);
    // The draft holds the last acknowledged image, or one imported after it that was saved before the kill landed.
    expect(draft.image).not.toBeNull();
    if (draft.image === null) return;
    expect(acknowledged.includes(draft.image.sha256) || app.images.get(draft.image.sha256) !== null).toBe(true);
    expect(await app.image(draft.image.sha256, 'preview')).not.toBeNull();

    // After start-up's sweep only the draft's image remains, and every file belongs to it.
    const files = readdirSync(path.join(temp.dir, 'media', 'images'));
    expect(files.length).toBeGreaterThan(0);
    expect(files.every((file) => file.startsWith(draft.image?.sha256 ?? '?'))).toBe(true);
  });
});
