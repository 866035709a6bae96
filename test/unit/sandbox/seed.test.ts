import { describe, expect, it } from 'vitest';
import { DEFAULT_EVENT_COUNT, generateWorld } from '../../../main/sandbox/seed';
import type { SandboxWorld } from '../../../main/sandbox/world';

const NOW = Date.UTC(2026, 10, 20, 4, 0, 0);
const DAY = 24 * 60 * 60 * 1000;

/** Maps become entry lists, so two worlds compare as JSON. */
function snapshot(world: SandboxWorld): string {
  return JSON.stringify({ ...world, lineUsers: [...world.lineUsers], whatsappContacts: [...world.whatsappContacts] });
}

describe('generateWorld', () => {
  const world = generateWorld({ now: NOW });

  it('is deterministic for a seed and a time, and differs across seeds', () => {
    expect(snapshot(generateWorld({ seed: 42, now: NOW }))).toBe(snapshot(generateWorld({ seed: 42, now: NOW })));
    expect(snapshot(generateWorld({ seed: 42, now: NOW }))).not.toBe(snapshot(generateWorld({ seed: 43, now: NOW })));
  });

  it('keeps channels and tokens when only the event count changes', () => {
    const small = generateWorld({ seed: 5, events: 10, now: NOW });
    const large = generateWorld({ seed: 5, events: 3000, now: NOW });
    expect(small.lineChannels).toEqual(large.lineChannels);
    expect(small.whatsappNumbers).toEqual(large.whatsappNumbers);
  });

  it('has every demo account with its role, plan and store', () => {
    const account = (name: string) => {
      const user = world.users.find((u) => u.account === name);
      if (!user) throw new Error(`missing ${name}`);
      const workspace = world.workspaces.find((w) => w.id === user.workspaceId);
      const store = world.stores.find((s) => s.id === user.storeId);
      return { role: user.role, plan: workspace?.plan, store: store?.name, password: user.password, limit: user.monthlyLimit };
    };
    expect(account('manager@demo')).toEqual({ role: 'sales_manager', plan: 'omo', store: '台北信義店', password: 'demo', limit: null });
    expect(account('sales@demo')).toEqual({ role: 'sales_person', plan: 'omo', store: '台北信義店', password: 'demo', limit: null });
    expect(account('sales2@demo')).toEqual({ role: 'sales_person', plan: 'omo', store: '台中勤美店', password: 'demo', limit: 2000 });
    expect(account('agent@demo')).toMatchObject({ role: 'agent', plan: 'omo' });
    expect(account('admin@demo')).toMatchObject({ role: 'admin', plan: 'omo' });
    expect(account('standard@demo')).toMatchObject({ role: 'sales_person', plan: 'standard' });
    expect(world.users.every((u) => u.password === 'demo')).toBe(true);
    expect(new Set(world.users.map((u) => u.id)).size).toBe(world.users.length);
  });

  it('describes the OMO workspace, its stores and channels', () => {
    const omo = world.workspaces.find((w) => w.id === 'ws-omo');
    expect(omo).toMatchObject({ plan: 'omo', utmEnabled: true, broadcastExpiryHours: 24 });
    expect(omo?.officialDomains).toEqual(['morninglight.example', 'shop.morninglight.example']);
    expect(world.workspaces.find((w) => w.id === 'ws-std')?.plan).toBe('standard');
    expect(world.stores.filter((s) => s.workspaceId === 'ws-omo').length).toBeGreaterThanOrEqual(3);

    expect(world.lineChannels.filter((c) => c.workspaceId === 'ws-omo')).toHaveLength(2);
    expect(world.whatsappNumbers.filter((n) => n.workspaceId === 'ws-omo')).toHaveLength(2);
    for (const channel of world.lineChannels) {
      expect(channel.id).toMatch(/^\d{10}$/);
      expect(channel.accessToken).toMatch(/^sbx-line-/);
    }
    for (const number of world.whatsappNumbers) {
      expect(number.phoneNumberId).toMatch(/^\d{15}$/);
      expect(number.wabaId).toMatch(/^\d{15}$/);
      expect(number.displayNumber).toMatch(/^\+886 9\d\d \d{3} \d{3}$/);
      expect(number).toMatchObject({ graphVersion: 'v23.0' });
      expect(number.accessToken).toMatch(/^sbx-wa-/);
    }
  });

  it('has the templates of every OMO WABA in Meta shapes', () => {
    for (const number of world.whatsappNumbers.filter((n) => n.workspaceId === 'ws-omo')) {
      const mine = world.templates.filter((t) => t.wabaId === number.wabaId);
      const names = mine.map((t) => `${t.name}/${t.language}/${t.status}`);
      expect(names).toEqual(
        expect.arrayContaining([
          'new_arrival/zh_TW/APPROVED',
          'new_arrival/en_US/APPROVED',
          'store_event_named/zh_TW/APPROVED',
          'coupon_reminder/zh_TW/APPROVED',
          'flash_sale_rejected/zh_TW/REJECTED',
        ]),
      );
      const arrival = mine.find((t) => t.name === 'new_arrival' && t.language === 'zh_TW');
      expect(arrival).toMatchObject({ category: 'MARKETING', parameter_format: 'POSITIONAL' });
      expect(arrival?.components[0]).toMatchObject({ type: 'HEADER', format: 'IMAGE', example: { header_handle: [expect.any(String)] } });
      expect(arrival?.components[1]?.text).toContain('{{1}}');
      const named = mine.find((t) => t.name === 'store_event_named');
      expect(named?.parameter_format).toBe('NAMED');
      const body = named?.components.find((c) => c.type === 'BODY');
      expect(body?.text).toContain('{{first_name}}');
      expect(body?.example).toHaveProperty('body_text_named_params');
      expect(mine.find((t) => t.name === 'coupon_reminder')?.category).toBe('UTILITY');
    }
  });

  it('makes consistent customers and events', () => {
    expect(world.events).toHaveLength(DEFAULT_EVENT_COUNT);
    const ids = new Set(world.events.map((e) => e.id));
    expect(ids.size).toBe(world.events.length);
    expect(world.events[0]?.id).toBe('evt_000001');

    const users = new Map(world.users.map((u) => [u.id, u]));
    const lineAccounts = new Map(world.lineChannels.map((c) => [c.id, c.workspaceId]));
    const waAccounts = new Map(world.whatsappNumbers.map((n) => [n.phoneNumberId, n.workspaceId]));
    for (const event of world.events) {
      const assignee = users.get(event.assigneeId);
      expect(assignee?.workspaceId).toBe(event.workspaceId);
      expect(event.storeId).toBe(assignee?.storeId);
      expect(event.lastMessageAt).toBeLessThanOrEqual(NOW);
      expect(event.lastMessageAt).toBeGreaterThan(NOW - 31 * DAY);
      expect(event.updatedAt).toBeGreaterThanOrEqual(event.lastMessageAt);
      if (event.lastInboundAt !== null) expect(event.lastInboundAt).toBeLessThanOrEqual(event.lastMessageAt);
      if (event.channel === 'line') {
        expect(lineAccounts.get(event.channelAccount)).toBe(event.workspaceId);
        const lineUser = world.lineUsers.get(event.customer.platformId);
        expect(event.customer.platformId).toMatch(/^U[0-9a-f]{32}$/);
        expect(lineUser?.channelId).toBe(event.channelAccount);
      } else {
        expect(waAccounts.get(event.channelAccount)).toBe(event.workspaceId);
        const contact = world.whatsappContacts.get(event.customer.platformId);
        expect(contact?.phoneNumberId).toBe(event.channelAccount);
        expect(contact?.lastInboundAt).toBe(event.lastInboundAt);
        expect(event.customer.platformId).toMatch(/^(8869\d{8}|852\d{8}|65\d{8}|1\d{10})$/);
      }
    }

    const share = (predicate: (e: (typeof world.events)[number]) => boolean) => world.events.filter(predicate).length / world.events.length;
    expect(share((e) => e.channel === 'line')).toBeGreaterThan(0.5);
    expect(share((e) => e.channel === 'line')).toBeLessThan(0.7);
    expect(share((e) => e.status === 'in_progress')).toBeGreaterThan(0.6);
    expect(share((e) => e.status === 'resolved')).toBeGreaterThan(0.03);
    expect(share((e) => e.assigneeId === 'u-sales')).toBeGreaterThanOrEqual(0.25);
    expect(world.events.some((e) => e.assigneeId === 'u-sales2')).toBe(true);
    expect(world.events.some((e) => e.workspaceId === 'ws-std')).toBe(true);
    const contacts = [...world.whatsappContacts.values()];
    expect(contacts.some((c) => c.lastInboundAt !== null && c.lastInboundAt > NOW - DAY)).toBe(true);
    expect(contacts.some((c) => c.lastInboundAt === null)).toBe(true);
    // About 2 % undeliverable: 5,000 events give some 2,000 contacts, so some 40 of them.
    const undeliverable = [...generateWorld({ events: 5000, now: NOW }).whatsappContacts.values()].filter((c) => c.undeliverable).length;
    expect(undeliverable).toBeGreaterThan(15);
    expect(undeliverable).toBeLessThan(90);
  });

  it('builds 200,000 events without quadratic work', () => {
    const started = performance.now();
    const big = generateWorld({ events: 200_000, now: NOW });
    const ms = performance.now() - started;
    console.warn(`generateWorld: 200,000 events in ${Math.round(ms)} ms`);
    expect(big.events).toHaveLength(200_000);
    expect(new Set(big.events.map((e) => e.id)).size).toBe(200_000);
    expect(big.lineUsers.size + big.whatsappContacts.size).toBeGreaterThanOrEqual(200_000);
  }, 60_000);
});
