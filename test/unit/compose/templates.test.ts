import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { GraphClient, WabaTemplate } from '../../../main/channels/whatsapp/client';
import { type TemplateCache, createTemplateCache, parseTemplate } from '../../../main/compose/templates';
import type { LogFields, Logger } from '../../../main/log';
import { silentLogger } from '../../../main/log';
import { generateWorld } from '../../../main/sandbox/seed';
import { type Sandbox, startSandbox } from '../../../main/sandbox/server';
import type { Template, WhatsAppNumber } from '../../../main/sandbox/world';
import type { WhatsAppCredentials } from '../../../main/session';
import { type Database, openDatabase } from '../../../main/store/db';
import { getTemplateFetch } from '../../../main/store/templates';
import { type TempDir, createTempDir } from '../../helpers/tmp';

const T0 = Date.UTC(2026, 10, 2, 3, 0, 0);

function asWaba(template: Template): WabaTemplate {
  const { wabaId: _wabaId, components, ...rest } = template;
  return { ...rest, components: components.map((component) => ({ ...component })) };
}

function credentials(number: WhatsAppNumber, apiBaseUrl: string): WhatsAppCredentials {
  return {
    phoneNumberId: number.phoneNumberId,
    wabaId: number.wabaId,
    displayNumber: number.displayNumber,
    name: number.name,
    accessToken: number.accessToken,
    graphVersion: number.graphVersion,
    apiBaseUrl,
  };
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('parseTemplate on the sandbox seed', () => {
  const world = generateWorld({ seed: 1, events: 0, now: T0 });
  const wabaId = world.whatsappNumbers[0]?.wabaId;
  const seeded = (name: string, language: string): WabaTemplate => {
    const found = world.templates.find((t) => t.wabaId === wabaId && t.name === name && t.language === language);
    if (!found) throw new Error(`the seed promises ${name} ${language}`);
    return asWaba(found);
  };

  it('reads new_arrival: an IMAGE header, positional {{1}} {{2}} with examples, a footer', () => {
    expect(parseTemplate(seeded('new_arrival', 'zh_TW'))).toEqual({
      name: 'new_arrival',
      language: 'zh_TW',
      status: 'APPROVED',
      category: 'MARKETING',
      parameterFormat: 'POSITIONAL',
      header: { format: 'IMAGE', text: null },
      body: '{{1}} 您好！本週新品到貨：{{2}}，歡迎到門市試穿或線上選購。',
      footer: '晨光選物 Morning Light・回覆「退訂」停止接收',
      buttons: [],
      params: [
        { key: '1', example: '王小明' },
        { key: '2', example: '秋季針織外套' },
      ],
      unsupported: null,
    });
    expect(parseTemplate(seeded('new_arrival', 'en_US'))?.params).toEqual([
      { key: '1', example: 'Amy' },
      { key: '2', example: 'autumn knit cardigan' },
    ]);
  });

  it('reads store_event_named: NAMED parameters with their examples and a static TEXT header', () => {
    const info = parseTemplate(seeded('store_event_named', 'zh_TW'));
    expect(info?.parameterFormat).toBe('NAMED');
    expect(info?.header).toEqual({ format: 'TEXT', text: '門市活動邀請' });
    expect(info?.params).toEqual([
      { key: 'first_name', example: '小明' },
      { key: 'event_date', example: '11/15（六）' },
    ]);
    expect(info?.unsupported).toBeNull();
  });

  it('reads coupon_reminder (no header, no footer) and flash_sale_rejected (REJECTED, still supported)', () => {
    const coupon = parseTemplate(seeded('coupon_reminder', 'en_US'));
    expect(coupon).toMatchObject({ header: { format: 'NONE', text: null }, footer: null, category: 'UTILITY', unsupported: null });
    expect(coupon?.params).toEqual([{ key: '1', example: 'Nov 30' }]);
    expect(parseTemplate(seeded('flash_sale_rejected', 'zh_TW'))).toMatchObject({ status: 'REJECTED', unsupported: null });
  });
});

describe('parseTemplate on malformed or unsupported templates', () => {
  const body = (text: string, extra: Record<string, unknown> = {}) => ({ type: 'BODY', text, ...extra });
  const template = (overrides: Partial<WabaTemplate> & Record<string, unknown>): WabaTemplate => ({
    id: '1001',
    name: 'promo',
    language: 'zh_TW',
    status: 'APPROVED',
    category: 'MARKETING',
    parameter_format: 'POSITIONAL',
    components: [body('Hi {{1}}')],
    ...overrides,
  });

  it('is null without a usable name or language', () => {
    expect(parseTemplate({ id: '1' })).toBeNull();
    expect(parseTemplate(template({ name: 'Promo Sale' }))).toBeNull();
    expect(parseTemplate(template({ language: 'traditional chinese' }))).toBeNull();
  });

  it('says no_body when the body is missing, empty or not text, and survives junk components', () => {
    expect(parseTemplate(template({ components: undefined }))).toMatchObject({ body: '', unsupported: 'no_body', params: [] });
    expect(parseTemplate(template({ components: [body('   ')] }))?.unsupported).toBe('no_body');
    const junk = [null, 3, 'BODY', [], { type: 'BODY', text: 42 }] as unknown as WabaTemplate['components'];
    expect(parseTemplate(template({ components: junk }))?.unsupported).toBe('no_body');
  });

  it('defaults a missing status, category and parameter format', () => {
    const info = parseTemplate({ id: '1', name: 'promo', language: 'en', components: [body('Hi')] });
    expect(info).toMatchObject({ status: 'UNKNOWN', category: null, parameterFormat: 'POSITIONAL', unsupported: null });
  });

  it('reads lower-case component types and formats', () => {
    const info = parseTemplate(template({ components: [{ type: 'header', format: 'image' }, { type: 'body', text: 'Hi {{1}}' }] }));
    expect(info).toMatchObject({ header: { format: 'IMAGE', text: null }, unsupported: null });
  });

  it('says header_format for video, document and location headers, and a text header with a parameter', () => {
    for (const format of ['VIDEO', 'DOCUMENT', 'LOCATION']) {
      const info = parseTemplate(template({ components: [{ type: 'HEADER', format }, body('Hi {{1}}')] }));
      expect(info, format).toMatchObject({ header: { format: 'OTHER', text: null }, unsupported: 'header_format' });
    }
    const withParam = parseTemplate(template({ components: [{ type: 'HEADER', format: 'TEXT', text: 'Hi {{1}}' }, body('Body {{1}}')] }));
    expect(withParam).toMatchObject({ header: { format: 'OTHER', text: 'Hi {{1}}' }, unsupported: 'header_format' });
    const emptyText = parseTemplate(template({ components: [{ type: 'HEADER', format: 'TEXT' }, body('Body')] }));
    expect(emptyText?.unsupported).toBe('header_format');
  });

  it('lists button texts; URL buttons with a {{1}} suffix and coupon-code buttons need a parameter', () => {
    const fine = parseTemplate(
      template({
        components: [
          body('Hi {{1}}'),
          {
            type: 'BUTTONS',
            buttons: [
              { type: 'URL', text: '逛官網', url: 'https://morninglight.tw/sale' },
              { type: 'QUICK_REPLY', text: '退訂' },
              { type: 'PHONE_NUMBER', text: '來電', phone_number: '+886223456789' },
              'junk',
              { type: 'QUICK_REPLY' },
            ],
          },
        ],
      }),
    );
    expect(fine).toMatchObject({ buttons: ['逛官網', '退訂', '來電'], unsupported: null });
    const dynamicUrl = [body('Hi'), { type: 'BUTTONS', buttons: [{ type: 'URL', text: 'Shop', url: 'https://morninglight.tw/p/{{1}}' }] }];
    expect(parseTemplate(template({ components: dynamicUrl }))?.unsupported).toBe('button_parameters');
    const coupon = [body('Hi'), { type: 'BUTTONS', buttons: [{ type: 'COPY_CODE', example: 'SAVE10' }] }];
    expect(parseTemplate(template({ components: coupon }))?.unsupported).toBe('button_parameters');
  });

  it('says component_type for a carousel or any component it does not know', () => {
    expect(parseTemplate(template({ components: [body('Hi'), { type: 'CAROUSEL', cards: [] }] }))?.unsupported).toBe('component_type');
    expect(parseTemplate(template({ components: [body('Hi'), { type: 'SOMETHING_NEW' }] }))?.unsupported).toBe('component_type');
  });

  it('lists each parameter once, in order of first appearance', () => {
    const info = parseTemplate(template({ components: [body('{{2}} and {{1}}, again {{2}} {{ 1 }}')] }));
    expect(info?.params.map((p) => p.key)).toEqual(['2', '1']);
    expect(info?.unsupported).toBeNull();
  });

  it('says param_format when placeholders do not fit the parameter format', () => {
    const of = (text: string, format: 'POSITIONAL' | 'NAMED' = 'POSITIONAL') =>
      parseTemplate(template({ parameter_format: format, components: [body(text)] }))?.unsupported;
    expect(of('Hi {{2}}')).toBe('param_format');
    expect(of('Hi {{1}} {{3}}')).toBe('param_format');
    expect(of('Hi {{0}}')).toBe('param_format');
    expect(of('Hi {{name}}')).toBe('param_format');
    expect(of('Hi {{1}}', 'NAMED')).toBe('param_format');
    expect(of('Hi {{First_Name}}', 'NAMED')).toBe('param_format');
    expect(of('Hi {{ }} there')).toBe('param_format');
    expect(of('Hi {{first-name}}', 'NAMED')).toBe('param_format');
    expect(of('Hi {{first_name}}', 'NAMED')).toBeNull();
  });

  it('takes only string examples, and none from a malformed example', () => {
    const odd = parseTemplate(template({ components: [body('{{1}} {{2}}', { example: { body_text: [['Amy', 5]] } })] }));
    expect(odd?.params).toEqual([
      { key: '1', example: 'Amy' },
      { key: '2', example: null },
    ]);
    const broken = parseTemplate(template({ components: [body('{{1}}', { example: { body_text: 'Amy' } })] }));
    expect(broken?.params).toEqual([{ key: '1', example: null }]);
    const named = parseTemplate(
      template({
        parameter_format: 'NAMED',
        components: [body('{{a}} {{b}}', { example: { body_text_named_params: [{ param_name: 'a', example: 'x' }, { param_name: 'b' }, null] } })],
      }),
    );
    expect(named?.params).toEqual([
      { key: 'a', example: 'x' },
      { key: 'b', example: null },
    ]);
  });
});

describe('template cache', () => {
  let sandbox: Sandbox;
  let numberA: WhatsAppNumber;
  let numberB: WhatsAppNumber;
  let temp: TempDir;
  let db: Database;
  let now: number;
  let warnings: Array<{ message: string; fields: LogFields | undefined }>;
  let cache: TemplateCache;

  const clock = { now: () => now };
  const logger: Logger = { ...silentLogger, warn: (message, fields) => warnings.push({ message, fields }) };
  const A = (): WhatsAppCredentials => credentials(numberA, sandbox.origin);
  const B = (): WhatsAppCredentials => credentials(numberB, sandbox.origin);
  const names = (catalogNumber: { templates: Array<{ name: string; language: string }> } | undefined) =>
    catalogNumber?.templates.map((t) => `${t.name}/${t.language}`);

  beforeAll(async () => {
    sandbox = await startSandbox({ seed: 1, events: 20, now: T0 });
    const omo = sandbox.context.world.whatsappNumbers.filter((number) => number.workspaceId === 'ws-omo');
    [numberA, numberB] = omo as [WhatsAppNumber, WhatsAppNumber];
  });

  afterAll(async () => {
    await sandbox.close();
  });

  beforeEach(() => {
    temp = createTempDir('template-cache');
    db = openDatabase(path.join(temp.dir, 'test.sqlite'));
    now = T0;
    warnings = [];
    sandbox.context.faults.clear();
    cache = createTemplateCache({ db, clock, logger });
  });

  afterEach(() => {
    db.close();
    temp.cleanup();
  });

  it('knows nothing before the first refresh', () => {
    expect(cache.catalog([A()])).toEqual({
      numbers: [{ phoneNumberId: numberA.phoneNumberId, name: numberA.name, displayNumber: numberA.displayNumber, fetchedAt: null, error: null, templates: [] }],
    });
    expect(cache.find(numberA.phoneNumberId, { name: 'new_arrival', language: 'zh_TW' })).toBeNull();
  });

  it('fetches every number from the sandbox: APPROVED first, then by name and language', async () => {
    const catalog = await cache.refresh([A(), B()]);
    expect(catalog.numbers.map((n) => n.phoneNumberId)).toEqual([numberA.phoneNumberId, numberB.phoneNumberId]);
    for (const entry of catalog.numbers) {
      expect(entry).toMatchObject({ fetchedAt: T0, error: null });
      expect(names(entry)).toEqual([
        'coupon_reminder/en_US',
        'coupon_reminder/zh_TW',
        'new_arrival/en_US',
        'new_arrival/zh_TW',
        'store_event_named/zh_TW',
        'flash_sale_rejected/zh_TW',
      ]);
    }
    expect(catalog.numbers[0]?.templates[3]).toEqual(parseTemplate(asWaba(sandbox.context.world.templates.find((t) => t.wabaId === numberA.wabaId && t.name === 'new_arrival' && t.language === 'zh_TW') as Template)));
    expect(cache.find(numberA.phoneNumberId, { name: 'store_event_named', language: 'zh_TW' })?.parameterFormat).toBe('NAMED');
    expect(cache.find(numberA.phoneNumberId, { name: 'store_event_named', language: 'en_US' })).toBeNull();
    // The cache is the database: a new cache on the same file (the next start, offline) sees it.
    expect(createTemplateCache({ db, clock, logger }).catalog([A(), B()])).toEqual(catalog);
  });

  it('replaces a number’s rows on the next successful refresh', async () => {
    await cache.refresh([A()]);
    const world = sandbox.context.world;
    const index = world.templates.findIndex((t) => t.wabaId === numberA.wabaId && t.status === 'REJECTED');
    const [removed] = world.templates.splice(index, 1);
    try {
      now = T0 + 60_000;
      const catalog = await cache.refresh([A()]);
      expect(catalog.numbers[0]?.fetchedAt).toBe(T0 + 60_000);
      expect(names(catalog.numbers[0])).not.toContain('flash_sale_rejected/zh_TW');
      expect(catalog.numbers[0]?.templates).toHaveLength(5);
    } finally {
      if (removed) world.templates.splice(index, 0, removed);
    }
  });

  it('offline: keeps the cached templates and their time, and records unreachable', async () => {
    await cache.refresh([A()]);
    now = T0 + 5 * 60_000;
    const offline = { ...A(), apiBaseUrl: `http://127.0.0.1:${await closedPort()}` };
    const catalog = await cache.refresh([offline]);
    expect(catalog.numbers[0]).toMatchObject({ fetchedAt: T0, error: 'unreachable' });
    expect(catalog.numbers[0]?.templates).toHaveLength(6);
    expect(getTemplateFetch(db, numberA.phoneNumberId)).toMatchObject({ fetchedAt: T0, error: 'unreachable', attemptedAt: T0 + 5 * 60_000 });
    expect(warnings.map((w) => w.fields?.error)).toEqual(['unreachable']);
    // The next success clears the error.
    now = T0 + 10 * 60_000;
    expect((await cache.refresh([A()])).numbers[0]).toMatchObject({ fetchedAt: T0 + 10 * 60_000, error: null });
  });

  it('records a never-fetched number’s failure with no templates', async () => {
    const offline = { ...A(), apiBaseUrl: `http://127.0.0.1:${await closedPort()}` };
    expect((await cache.refresh([offline])).numbers[0]).toMatchObject({ fetchedAt: null, error: 'unreachable', templates: [] });
  });

  it('a refused token: invalid_credentials, cache kept, and the token never logged', async () => {
    await cache.refresh([A()]);
    const wrong = { ...A(), accessToken: 'sbx-wa-not-a-valid-token-at-all' };
    const catalog = await cache.refresh([wrong]);
    expect(catalog.numbers[0]).toMatchObject({ fetchedAt: T0, error: 'invalid_credentials' });
    expect(catalog.numbers[0]?.templates).toHaveLength(6);
    expect(JSON.stringify(warnings)).not.toContain('sbx-wa-not-a-valid-token-at-all');
  });

  it('records Graph’s reason for other Graph errors, and bad_server_response for an answer that is not Graph’s', async () => {
    sandbox.context.faults.arm({
      route: 'whatsapp.templates',
      kind: 'status',
      count: 1,
      status: 429,
      body: { error: { message: 'Application request limit reached', type: 'OAuthException', code: 4, fbtrace_id: 'T' } },
    });
    expect((await cache.refresh([A()])).numbers[0]?.error).toBe('wa_app_rate_limited');
    sandbox.context.faults.arm({ route: 'whatsapp.templates', kind: 'status', count: 1, status: 404, body: 'Not Found' });
    expect((await cache.refresh([A()])).numbers[0]?.error).toBe('bad_server_response');
  });

  it('records bad_server_response for a 200 it cannot read', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: 'not a list' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const catalog = await cache.refresh([{ ...A(), apiBaseUrl: `http://127.0.0.1:${port}` }]);
      expect(catalog.numbers[0]?.error).toBe('bad_server_response');
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('records invalid_credentials for a WABA id or Graph version that cannot be used', async () => {
    const catalog = await cache.refresh([{ ...A(), wabaId: '../me' }, { ...B(), graphVersion: 'latest' }]);
    expect(catalog.numbers.map((n) => n.error)).toEqual(['invalid_credentials', 'invalid_credentials']);
  });

  it('fetches numbers concurrently, and one number’s failure leaves the other’s success', async () => {
    const started: string[] = [];
    const release: Array<() => void> = [];
    const graph = (number: WhatsAppCredentials): GraphClient => ({
      sendMessage: () => Promise.reject(new Error('not used')),
      listTemplates: () => Promise.reject(new Error('not used')),
      uploadMedia: () => Promise.reject(new Error('not used')),
      listAllTemplates: async () => {
        started.push(number.phoneNumberId);
        await new Promise<void>((resolve) => release.push(resolve));
        return number.phoneNumberId === numberA.phoneNumberId
          ? { ok: true, value: [{ id: '1', name: 'hello', language: 'en', status: 'APPROVED', components: [{ type: 'BODY', text: 'Hi' }] }], status: 200, headers: {} }
          : { ok: false, error: { kind: 'retryable', code: 131000, reason: 'wa_server_error', status: 500, detail: 'x' } };
      },
    });
    const concurrent = createTemplateCache({ db, clock, logger, graph });
    const refreshing = concurrent.refresh([A(), B()]);
    await vi.waitFor(() => expect(started).toHaveLength(2));
    expect(started).toEqual([numberA.phoneNumberId, numberB.phoneNumberId]);
    for (const resolve of release) resolve();
    const catalog = await refreshing;
    expect(catalog.numbers[0]).toMatchObject({ fetchedAt: T0, error: null });
    expect(names(catalog.numbers[0])).toEqual(['hello/en']);
    expect(catalog.numbers[1]).toMatchObject({ fetchedAt: null, error: 'wa_server_error', templates: [] });
  });

  it('stores what it can parse and skips templates without a usable name, keeping the first of a duplicate', async () => {
    const graph = (): GraphClient => ({
      sendMessage: () => Promise.reject(new Error('not used')),
      listTemplates: () => Promise.reject(new Error('not used')),
      uploadMedia: () => Promise.reject(new Error('not used')),
      listAllTemplates: () =>
        Promise.resolve({
          ok: true,
          value: [
            { id: '1', name: 'hello', language: 'en', status: 'PENDING', components: [{ type: 'BODY', text: 'first' }] },
            { id: '2', language: 'en', components: [] },
            { id: '3', name: 'hello', language: 'en', status: 'APPROVED', components: [{ type: 'BODY', text: 'second' }] },
            { id: '4', name: 'no_components', language: 'en', status: 'APPROVED' },
          ],
          status: 200,
          headers: {},
        }),
    });
    const catalog = await createTemplateCache({ db, clock, logger, graph }).refresh([A()]);
    expect(catalog.numbers[0]?.templates.map((t) => [t.name, t.status, t.body, t.unsupported])).toEqual([
      ['no_components', 'APPROVED', '', 'no_body'],
      ['hello', 'PENDING', 'first', null],
    ]);
  });

  it('clear() forgets every number, and a refresh under way when it is called writes nothing', async () => {
    await cache.refresh([A(), B()]);
    cache.clear();
    expect(cache.catalog([A(), B()]).numbers.map((n) => [n.fetchedAt, n.error, n.templates.length])).toEqual([
      [null, null, 0],
      [null, null, 0],
    ]);
    expect(db.prepare('SELECT count(*) FROM whatsapp_templates').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM whatsapp_template_fetches').pluck().get()).toBe(0);

    const refreshing = cache.refresh([A()]);
    cache.clear();
    const catalog = await refreshing;
    expect(catalog.numbers[0]).toMatchObject({ fetchedAt: null, error: null, templates: [] });
  });
});
