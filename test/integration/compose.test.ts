import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  ComposeCheck,
  ComposedImage,
  Draft,
  DraftHead,
  DraftSummary,
  TemplateCatalog,
  WhatsAppDraft,
} from '../../preload/contract';
import { type App, createApp } from '../../main/app';
import { silentLogger } from '../../main/log';
import { ManualNetworkStatus } from '../../main/network';
import { type Sandbox, startSandbox } from '../../main/sandbox/server';
import { MemoryVault } from '../../main/vault';
import { eventIdsByChannel, value, waitForSync } from '../helpers/app-flow';
import { createTempDir } from '../helpers/tmp';

/**
 * The composer through the bridge (app.dispatch) of a real createApp signed in to a real sandbox on 127.0.0.1: drafts
 * with patches, image intake, the template cache, and main's check of a draft.
 */

let sandbox: Sandbox;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  sandbox = await startSandbox({ seed: 5151, events: 1200 });
});

afterAll(async () => {
  await sandbox.close();
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function open(dir?: string): { app: App; dir: string; network: ManualNetworkStatus } {
  let dataDir = dir;
  if (dataDir === undefined) {
    const temp = createTempDir('compose');
    cleanups.push(() => temp.cleanup());
    dataDir = temp.dir;
  }
  const network = new ManualNetworkStatus(true);
  const app = createApp({ dataDir, version: '0.0.0-test', transport: 'preview', logger: silentLogger, vault: new MemoryVault(), network });
  cleanups.push(() => app.close());
  return { app, dir: dataDir, network };
}

async function signedIn(account = 'manager@demo'): Promise<{ app: App; dir: string; network: ManualNetworkStatus; line: string[]; whatsapp: string[] }> {
  const opened = open();
  await opened.app.ready;
  value(await opened.app.dispatch('session.signIn', { inboxUrl: sandbox.origin, account, password: 'demo' }));
  await waitForSync(opened.app);
  const { line, whatsapp } = await eventIdsByChannel(opened.app);
  return { ...opened, line, whatsapp };
}

async function png(width = 64, height = 48): Promise<string> {
  const bytes = await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } } }).png().toBuffer();
  return bytes.toString('base64');
}

const TEXT = '本週新品到貨！\n官網：https://shop.morninglight.example/new?ref=a 其他：https://www.instagram.com/morninglight';

describe('drafts', () => {
  it('creates with a selection, patches only what is given, and lists image, templates and recipients', async () => {
    const { app } = open();
    const created = value<DraftHead>(await app.dispatch('drafts.save', { text: '第一行', selection: ['e1', 'e2', 'e2'] }));
    expect(created).toMatchObject({ text: '第一行', image: null, whatsapp: { numbers: [] }, selectionCount: 2 });

    const patched = value<DraftHead>(await app.dispatch('drafts.save', { id: created.id, text: '第一行\n第二行' }));
    expect(patched.selectionCount).toBe(2);
    const whatsapp: WhatsAppDraft = {
      numbers: [{ phoneNumberId: '123', template: { name: 'new_arrival', language: 'zh_TW' }, params: { '1': { source: 'customer_name', fallback: '貴賓' } } }],
    };
    value(await app.dispatch('drafts.save', { id: created.id, whatsapp }));
    const draft = value<Draft>(await app.dispatch('drafts.get', { id: created.id }));
    expect(draft).toMatchObject({ text: '第一行\n第二行', selection: ['e1', 'e2'], whatsapp });

    const list = value<DraftSummary[]>(await app.dispatch('drafts.list', {}));
    expect(list).toEqual([
      { id: created.id, title: '第一行', length: 7, imageSha256: null, templates: ['new_arrival'], selectionCount: 2, updatedAt: draft.updatedAt },
    ]);
  });

  it('duplicates a draft whole, and deletes one without touching the other', async () => {
    const { app } = open();
    const image = value<ComposedImage>(await app.dispatch('compose.importImage', { name: 'a.png', data: await png() }));
    const original = value<DraftHead>(
      await app.dispatch('drafts.save', { text: '原稿', image: { sha256: image.sha256, name: 'a.png' }, selection: ['x'] }),
    );
    const copy = value<DraftHead>(await app.dispatch('drafts.duplicate', { id: original.id }));
    expect(copy.id).not.toBe(original.id);
    const { id: _a, createdAt: _b, updatedAt: _c, ...sameContent } = original;
    expect(copy).toMatchObject(sameContent);

    expect(value(await app.dispatch('drafts.delete', { id: original.id }))).toEqual({ deleted: true });
    // The copy still refers to the image: a sweep keeps it.
    await app.images.collect({ graceMs: 0 });
    expect(value<Draft>(await app.dispatch('drafts.get', { id: copy.id })).image?.sha256).toBe(image.sha256);
    value(await app.dispatch('drafts.delete', { id: copy.id }));
    await app.images.collect({ graceMs: 0 });
    expect(app.images.get(image.sha256)).toBeNull();
    expect(await app.dispatch('drafts.duplicate', { id: copy.id })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });

  it('refuses an image main did not store, and a patch of a deleted draft, changing nothing', async () => {
    const { app } = open();
    const draft = value<DraftHead>(await app.dispatch('drafts.save', { text: 'keep me' }));
    const refused = await app.dispatch('drafts.save', { id: draft.id, text: 'lost?', image: { sha256: 'ab'.repeat(32), name: 'x.png' } });
    expect(refused).toMatchObject({ ok: false, error: { code: 'not_found' } });
    expect(value<Draft>(await app.dispatch('drafts.get', { id: draft.id })).text).toBe('keep me');
    value(await app.dispatch('drafts.delete', { id: draft.id }));
    expect(await app.dispatch('drafts.save', { id: draft.id, text: 'x' })).toMatchObject({ ok: false, error: { code: 'not_found' } });
  });
});

describe('image intake through the bridge', () => {
  it('stores a PNG and serves only its thumbnail and preview to the renderer', async () => {
    const { app, dir } = open();
    const image = value<ComposedImage>(await app.dispatch('compose.importImage', { name: 'photo.png', data: await png(320, 200) }));
    expect(image).toMatchObject({ width: 320, height: 200, source: { format: 'png' } });
    expect((await app.image(image.sha256, 'thumb'))?.contentType).toBe('image/jpeg');
    expect(await app.image(image.sha256, 'preview')).not.toBeNull();
    expect(await app.image(image.sha256, 'original')).toBeNull();
    expect(await app.image(image.sha256, 'whatsapp')).toBeNull();
    expect(await app.image('cd'.repeat(32), 'thumb')).toBeNull();
    expect(readdirSync(path.join(dir, 'media', 'images')).some((file) => file.startsWith(image.sha256))).toBe(true);
  });

  it.each([
    ['not an image', Buffer.from('hello, this is text').toString('base64'), 'image_unsupported'],
    ['a truncated PNG', null, 'image_corrupt'],
  ])('refuses %s with a code the UI translates, leaving the draft as it was', async (_what, data, code) => {
    const { app } = open();
    const draft = value<DraftHead>(await app.dispatch('drafts.save', { text: 'before' }));
    const payload = data ?? Buffer.from(await png(400, 400), 'base64').subarray(0, 300).toString('base64');
    expect(await app.dispatch('compose.importImage', { name: 'bad', data: payload })).toMatchObject({ ok: false, error: { code } });
    expect(value<Draft>(await app.dispatch('drafts.get', { id: draft.id }))).toMatchObject({ text: 'before', image: null });
  });

  it('refuses a file over 20 MB as image_too_large, and data that is not base64 as invalid_input', async () => {
    const { app } = open();
    const big = Buffer.alloc(20 * 1024 * 1024 + 1, 0x41).toString('base64');
    expect(await app.dispatch('compose.importImage', { name: 'big.jpg', data: big })).toMatchObject({ ok: false, error: { code: 'image_too_large' } });
    expect(await app.dispatch('compose.importImage', { name: 'x', data: '!!!not base64' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
  });
});

describe('templates and the check, signed in to the sandbox', () => {
  it('checks a whole draft: recipients per channel, links, the template filled for a sample customer', async () => {
    const { app, line, whatsapp } = await signedIn();
    expect(line.length).toBeGreaterThan(0);
    expect(whatsapp.length).toBeGreaterThan(0);

    const catalog = value<TemplateCatalog>(await app.dispatch('compose.templates', { refresh: true }));
    expect(catalog.numbers.length).toBe(2);
    for (const number of catalog.numbers) {
      expect(number.fetchedAt).not.toBeNull();
      expect(number.error).toBeNull();
      expect(number.templates.map((template) => `${template.name}/${template.language}/${template.status}`)).toEqual(
        expect.arrayContaining(['new_arrival/zh_TW/APPROVED', 'store_event_named/zh_TW/APPROVED', 'flash_sale_rejected/zh_TW/REJECTED']),
      );
    }

    const selection = [...line.slice(0, 30), ...whatsapp.slice(0, 30)];
    const draft = value<DraftHead>(await app.dispatch('drafts.save', { text: TEXT, selection }));
    let check = value<ComposeCheck>(await app.dispatch('compose.check', { id: draft.id }));
    expect(check.recipients).toEqual({ total: 60, line: 30, whatsapp: 30, dropped: 0 });
    expect(check.line.problems).toEqual([]);
    expect(check.utm).toBe(true);
    expect(check.links.map((link) => [link.url, link.kind])).toEqual([
      ['https://shop.morninglight.example/new?ref=a', 'official'],
      ['https://www.instagram.com/morninglight', 'other'],
    ]);
    const official = check.links[0];
    expect(official?.tagged).toContain('utm_medium=omo_broadcast');
    expect(official?.tagged).toContain('utm_source=line');
    expect(check.links[1]?.tagged).toBeNull();
    expect(check.text.taggedLength).toBeGreaterThan(check.text.length);
    expect(check.whatsapp.length).toBeGreaterThan(0);
    expect(check.whatsapp.every((number) => number.problems.some((problem) => problem.code === 'wa_template_missing'))).toBe(true);
    expect(check.ready).toBe(false);

    // new_arrival (image header, {{1}} {{2}}) on every number of the selection, with the composed image.
    const image = value<ComposedImage>(await app.dispatch('compose.importImage', { name: 'a.png', data: await png() }));
    const numbers = check.whatsapp.map((number) => ({
      phoneNumberId: number.phoneNumberId,
      template: { name: 'new_arrival', language: 'zh_TW' },
      params: { '1': { source: 'customer_name' as const, fallback: '貴賓' }, '2': { source: 'fixed' as const, text: '秋季針織外套' } },
    }));
    value(await app.dispatch('drafts.save', { id: draft.id, image: { sha256: image.sha256, name: 'a.png' }, whatsapp: { numbers } }));
    check = value<ComposeCheck>(await app.dispatch('compose.check', { id: draft.id }));
    expect(check.problems).toEqual([]);
    expect(check.whatsapp.flatMap((number) => number.problems)).toEqual([]);
    expect(check.ready).toBe(true);
    const sample = check.whatsapp[0]?.sample;
    expect(sample?.body).toContain('秋季針織外套');
    expect(sample?.body).toContain(sample?.customerName ?? '?');

    // A REJECTED template and a missing parameter are named, per number.
    const first = numbers[0];
    if (first === undefined) throw new Error('no number');
    value(
      await app.dispatch('drafts.save', {
        id: draft.id,
        whatsapp: { numbers: [{ ...first, template: { name: 'flash_sale_rejected', language: 'zh_TW' } }, ...numbers.slice(1)] },
      }),
    );
    check = value<ComposeCheck>(await app.dispatch('compose.check', { id: draft.id }));
    expect(check.whatsapp.find((number) => number.phoneNumberId === first.phoneNumberId)?.problems.map((problem) => problem.code)).toContain(
      'wa_template_not_approved',
    );
    expect(check.ready).toBe(false);
  });

  it('keeps the templates for offline use and keeps drafts across sign-out', async () => {
    const { app, network } = await signedIn('sales@demo');
    value(await app.dispatch('compose.templates', { refresh: true }));
    network.set(false);
    const cached = value<TemplateCatalog>(await app.dispatch('compose.templates', { refresh: true }));
    expect(cached.numbers.every((number) => number.templates.length > 0)).toBe(true);
    const draft = value<DraftHead>(await app.dispatch('drafts.save', { text: 'offline draft' }));
    network.set(true);
    value(await app.dispatch('session.signOut', {}));
    expect(value<Draft>(await app.dispatch('drafts.get', { id: draft.id })).text).toBe('offline draft');
    expect(await app.dispatch('compose.templates', { refresh: false })).toMatchObject({ ok: false, error: { code: 'not_signed_in' } });
  });

  it('refuses the template list to roles that may not broadcast', async () => {
    const { app } = open();
    await app.ready;
    value(await app.dispatch('session.signIn', { inboxUrl: sandbox.origin, account: 'agent@demo', password: 'demo' }));
    expect(await app.dispatch('compose.templates', { refresh: true })).toMatchObject({ ok: false, error: { code: 'forbidden_role' } });
  });
});

describe('start-up', () => {
  it('removes images nothing refers to, and keeps a draft’s', async () => {
    const first = open();
    const kept = value<ComposedImage>(await first.app.dispatch('compose.importImage', { name: 'a.png', data: await png(64, 64) }));
    const dropped = value<ComposedImage>(await first.app.dispatch('compose.importImage', { name: 'b.png', data: await png(80, 64) }));
    value(await first.app.dispatch('drafts.save', { text: 'with image', image: { sha256: kept.sha256, name: 'a.png' } }));
    await first.app.close();

    const second = open(first.dir);
    await second.app.ready;
    expect(second.app.images.get(kept.sha256)).not.toBeNull();
    expect(second.app.images.get(dropped.sha256)).toBeNull();
    const folder = path.join(first.dir, 'media', 'images');
    expect(existsSync(folder) && readdirSync(folder).some((file) => file.startsWith(dropped.sha256))).toBe(false);
  });
});
