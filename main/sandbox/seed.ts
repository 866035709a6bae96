import type {
  DemoUser,
  InboxEvent,
  LineChannel,
  LineUser,
  SandboxWorld,
  Store,
  Template,
  WhatsAppContact,
  WhatsAppNumber,
  Workspace,
} from './world';

/**
 * The seeded demo world (DESIGN §2 "demo workspace"). Deterministic: the same seed and `now` give the same world, so
 * tests can name ids and a demo looks the same every time. Accounts, workspaces and stores are fixed; channel ids,
 * tokens, customers and events come from the PRNG.
 */
export interface SeedOptions {
  seed?: number;
  /** Conversation events to generate, both workspaces together (default 1,200). */
  events?: number;
  /** The moment the world is generated at (epoch ms); event times lie in the 30 days before it. */
  now?: number;
}

export const DEFAULT_SEED = 20_260_101;
export const DEFAULT_EVENT_COUNT = 1200;
export const DEMO_PASSWORD = 'demo';
/** The logins the demo presents, one per role and plan of the seed's rule (the world holds more sales persons). */
export const FEATURED_DEMO_ACCOUNTS: readonly string[] = [
  'manager@demo',
  'sales@demo',
  'sales2@demo',
  'agent@demo',
  'admin@demo',
  'standard@demo',
];
export const OMO_WORKSPACE_ID = 'ws-omo';
export const STANDARD_WORKSPACE_ID = 'ws-std';

/**
 * Avatars: the sandbox origin (its port) is unknown when the world is generated, so pictures are stored as a
 * root-relative path and the services turn them into `${ctx.origin}/_sandbox/avatars/<id>.svg` when they answer.
 */
export const AVATAR_PREFIX = '/_sandbox/avatars/';

export function avatarPath(platformId: string): string {
  return `${AVATAR_PREFIX}${platformId}.svg`;
}

/** A stored URL as a client sees it: root-relative values (avatars) get the sandbox origin; absolute ones stay. */
export function resolveSandboxUrl(origin: string, value: string | null): string | null {
  if (value === null) return null;
  return value.startsWith('/') ? `${origin}${value}` : value;
}

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------------------------------
// PRNG

/** mulberry32: tiny, fast and good enough for demo data; not for anything secret. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FNV-1a, to derive one independent stream per section: more events must not change channel ids or tokens. */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

class Rng {
  readonly #next: () => number;

  constructor(seed: number, stream: string) {
    this.#next = mulberry32((seed ^ hashString(stream)) >>> 0);
  }

  float(): number {
    return this.#next();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.#next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.#next() < p;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.#next() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  digits(count: number): string {
    let out = String(this.int(1, 9));
    while (out.length < count) out += String(this.int(0, 9));
    return out;
  }

  hex(count: number): string {
    let out = '';
    while (out.length < count) out += ((this.#next() * 4294967296) >>> 0).toString(16).padStart(8, '0');
    return out.slice(0, count);
  }

  token(count: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let out = '';
    for (let i = 0; i < count; i += 1) out += alphabet[Math.floor(this.#next() * alphabet.length)] ?? 'x';
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Fixed parts: workspaces, stores, people

const WORKSPACES: Workspace[] = [
  {
    id: OMO_WORKSPACE_ID,
    name: '晨光選物 Morning Light',
    plan: 'omo',
    officialDomains: ['morninglight.example', 'shop.morninglight.example'],
    utmEnabled: true,
    broadcastExpiryHours: 24,
  },
  {
    id: STANDARD_WORKSPACE_ID,
    name: '巷口小舖 Corner Shop',
    plan: 'standard',
    officialDomains: ['cornershop.example'],
    utmEnabled: false,
    broadcastExpiryHours: 24,
  },
];

const STORES: Store[] = [
  { id: 'store-taipei-xinyi', workspaceId: OMO_WORKSPACE_ID, name: '台北信義店' },
  { id: 'store-taichung-qinmei', workspaceId: OMO_WORKSPACE_ID, name: '台中勤美店' },
  { id: 'store-kaohsiung-dreammall', workspaceId: OMO_WORKSPACE_ID, name: '高雄夢時代店' },
  { id: 'store-std-main', workspaceId: STANDARD_WORKSPACE_ID, name: '巷口小舖 本店' },
];

const [TAIPEI, TAICHUNG, KAOHSIUNG, STD_MAIN] = STORES.map((store) => store.id) as [string, string, string, string];

function user(id: string, account: string, name: string, role: DemoUser['role'], workspaceId: string, storeId: string, monthlyLimit: number | null = null): DemoUser {
  return { id, account, password: DEMO_PASSWORD, name, role, workspaceId, storeId, monthlyLimit };
}

/** The demo accounts (password 'demo'); the extra sales persons give a manager several assignees to see. */
const USERS: DemoUser[] = [
  user('u-manager', 'manager@demo', '陳怡君', 'sales_manager', OMO_WORKSPACE_ID, TAIPEI),
  user('u-sales', 'sales@demo', '林志豪', 'sales_person', OMO_WORKSPACE_ID, TAIPEI),
  user('u-sales2', 'sales2@demo', '王美玲', 'sales_person', OMO_WORKSPACE_ID, TAICHUNG, 2000),
  user('u-agent', 'agent@demo', '張家豪', 'agent', OMO_WORKSPACE_ID, TAIPEI),
  user('u-admin', 'admin@demo', '黃淑芬', 'admin', OMO_WORKSPACE_ID, TAIPEI),
  user('u-standard', 'standard@demo', '李小華', 'sales_person', STANDARD_WORKSPACE_ID, STD_MAIN),
  user('u-sales3', 'sales3@demo', '吳建宏', 'sales_person', OMO_WORKSPACE_ID, TAIPEI),
  user('u-sales4', 'sales4@demo', '蔡佩珊', 'sales_person', OMO_WORKSPACE_ID, TAIPEI),
  user('u-sales5', 'sales5@demo', '楊承翰', 'sales_person', OMO_WORKSPACE_ID, TAICHUNG),
  user('u-sales6', 'sales6@demo', '許雅雯', 'sales_person', OMO_WORKSPACE_ID, KAOHSIUNG),
  user('u-sales7', 'sales7@demo', '鄭宇翔', 'sales_person', OMO_WORKSPACE_ID, KAOHSIUNG),
  user('u-manager2', 'manager2@demo', '謝欣怡', 'sales_manager', OMO_WORKSPACE_ID, TAICHUNG),
];

/**
 * Who handles the ws-omo events, as cumulative weights: sales@demo a third (the demo's main account), sales2@demo a
 * tenth in another store, a few for the managers and the agent (so each role sees rows), the rest spread.
 */
const OMO_ASSIGNEES: Array<[string, number]> = [
  ['u-sales', 0.33],
  ['u-sales2', 0.1],
  ['u-manager', 0.04],
  ['u-agent', 0.05],
  ['u-sales3', 0.1],
  ['u-sales4', 0.08],
  ['u-sales5', 0.1],
  ['u-manager2', 0.04],
  ['u-sales6', 0.08],
  ['u-sales7', 0.08],
];

/** Share of all events that belong to the standard-plan workspace. */
const STANDARD_SHARE = 0.05;

// ---------------------------------------------------------------------------------------------------------------
// Names and tags

const SURNAMES = ['陳', '林', '黃', '張', '李', '王', '吳', '劉', '蔡', '楊', '許', '鄭', '謝', '郭', '洪', '曾', '邱', '廖', '賴', '周', '徐', '蘇', '葉', '莊', '呂', '江', '何', '蕭', '羅', '高'];
const GIVEN = ['怡君', '雅婷', '淑芬', '志明', '俊傑', '家豪', '美玲', '詩涵', '冠宇', '宗翰', '欣妤', '佳穎', '承恩', '柏翰', '思妤', '品妍', '子晴', '宥廷', '筱涵', '彥廷', '惠雯', '郁婷', '建宏', '靜宜', '心怡', '依婷', '哲維', '宜蓁', '育誠'];
const ENGLISH_FIRST = ['Amy', 'Kevin', 'Jessica', 'Jason', 'Vivian', 'Eric', 'Tiffany', 'Leo', 'Grace', 'Ryan', 'Cindy', 'Allen', 'Iris', 'Ken', 'Joanne', 'Michael', 'Emily', 'Sam', 'Nina', 'Daniel'];
const ENGLISH_LAST = ['Chen', 'Lin', 'Huang', 'Chang', 'Lee', 'Wang', 'Wu', 'Liu', 'Tsai', 'Yang', 'Smith', 'Tan', 'Wong', 'Ng', 'Brown'];

const TAGS = ['VIP', '新客', '回購', '會員', '待回覆', '母親節', '週年慶', '雙11', '高單價', '詢價中', '門市取貨', '保養諮詢'];

function customerName(rng: Rng): { name: string; language: string } {
  const roll = rng.float();
  if (roll < 0.62) return { name: rng.pick(SURNAMES) + rng.pick(GIVEN), language: 'zh-TW' };
  // Mixed names as LINE users often set them ("Amy 林").
  if (roll < 0.75) return { name: `${rng.pick(ENGLISH_FIRST)} ${rng.pick(SURNAMES)}`, language: 'zh-TW' };
  return { name: `${rng.pick(ENGLISH_FIRST)} ${rng.pick(ENGLISH_LAST)}`, language: 'en' };
}

const TAG_COUNTS = [0, 1, 1, 1, 2, 2, 3];

function pickTags(rng: Rng): string[] {
  const count = rng.pick(TAG_COUNTS);
  const tags: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const tag = rng.pick(TAGS);
    if (!tags.includes(tag)) tags.push(tag);
  }
  return tags;
}

// ---------------------------------------------------------------------------------------------------------------
// Channels and templates

function lineChannels(rng: Rng): LineChannel[] {
  const channel = (workspaceId: string, name: string, monthlyQuota: number | null): LineChannel => ({
    id: `16${rng.digits(8)}`,
    workspaceId,
    name,
    accessToken: `sbx-line-${rng.token(40)}`,
    monthlyQuota,
  });
  return [
    channel(OMO_WORKSPACE_ID, '晨光選物 Morning Light', 1_000_000),
    channel(OMO_WORKSPACE_ID, '晨光選物 Outlet', 50_000),
    channel(STANDARD_WORKSPACE_ID, '巷口小舖', 3000),
  ];
}

function whatsappNumbers(rng: Rng): WhatsAppNumber[] {
  const number = (workspaceId: string, name: string): WhatsAppNumber => ({
    phoneNumberId: `1${rng.digits(14)}`,
    wabaId: `1${rng.digits(14)}`,
    workspaceId,
    displayNumber: `+886 9${rng.int(10, 99)} ${rng.int(100, 999)} ${rng.int(100, 999)}`,
    name,
    accessToken: `sbx-wa-${rng.token(48)}`,
    graphVersion: 'v23.0',
  });
  return [
    number(OMO_WORKSPACE_ID, '晨光選物 台北'),
    number(OMO_WORKSPACE_ID, '晨光選物 客服'),
    number(STANDARD_WORKSPACE_ID, '巷口小舖'),
  ];
}

function templates(rng: Rng, numbers: readonly WhatsAppNumber[]): Template[] {
  const out: Template[] = [];
  const add = (wabaId: string, template: Omit<Template, 'id' | 'wabaId'>): void => {
    out.push({ id: `1${rng.digits(15)}`, wabaId, ...template });
  };
  const headerHandle = (): string => `4::aW1hZ2UvanBlZw==:ARb${rng.token(60)}`;
  const newArrival = (wabaId: string, language: 'zh_TW' | 'en_US', footer: string): void =>
    add(wabaId, {
      name: 'new_arrival',
      language,
      status: 'APPROVED',
      category: 'MARKETING',
      parameter_format: 'POSITIONAL',
      components: [
        { type: 'HEADER', format: 'IMAGE', example: { header_handle: [headerHandle()] } },
        language === 'zh_TW'
          ? { type: 'BODY', text: '{{1}} 您好！本週新品到貨：{{2}}，歡迎到門市試穿或線上選購。', example: { body_text: [['王小明', '秋季針織外套']] } }
          : { type: 'BODY', text: 'Hi {{1}}! New this week: {{2}}. Try it on in store or shop online.', example: { body_text: [['Amy', 'autumn knit cardigan']] } },
        { type: 'FOOTER', text: footer },
      ],
    });
  const couponReminder = (wabaId: string, language: 'zh_TW' | 'en_US'): void =>
    add(wabaId, {
      name: 'coupon_reminder',
      language,
      status: 'APPROVED',
      category: 'UTILITY',
      parameter_format: 'POSITIONAL',
      components: [
        language === 'zh_TW'
          ? { type: 'BODY', text: '提醒您，您的優惠券將於 {{1}} 到期，結帳時出示即可折抵。', example: { body_text: [['11/30']] } }
          : { type: 'BODY', text: 'A reminder: your coupon expires on {{1}}. Show it at checkout to redeem.', example: { body_text: [['Nov 30']] } },
      ],
    });

  const wabasOf = (workspaceId: string): string[] => [...new Set(numbers.filter((n) => n.workspaceId === workspaceId).map((n) => n.wabaId))];
  for (const wabaId of wabasOf(OMO_WORKSPACE_ID)) {
    const footer = '晨光選物 Morning Light・回覆「退訂」停止接收';
    newArrival(wabaId, 'zh_TW', footer);
    newArrival(wabaId, 'en_US', 'Morning Light · reply STOP to opt out');
    add(wabaId, {
      name: 'store_event_named',
      language: 'zh_TW',
      status: 'APPROVED',
      category: 'MARKETING',
      parameter_format: 'NAMED',
      components: [
        { type: 'HEADER', format: 'TEXT', text: '門市活動邀請' },
        {
          type: 'BODY',
          text: '{{first_name}} 您好，{{event_date}} 門市會員日，全館滿千送百，期待您的光臨！',
          example: {
            body_text_named_params: [
              { param_name: 'first_name', example: '小明' },
              { param_name: 'event_date', example: '11/15（六）' },
            ],
          },
        },
        { type: 'FOOTER', text: footer },
      ],
    });
    couponReminder(wabaId, 'zh_TW');
    couponReminder(wabaId, 'en_US');
    add(wabaId, {
      name: 'flash_sale_rejected',
      language: 'zh_TW',
      status: 'REJECTED',
      category: 'MARKETING',
      parameter_format: 'POSITIONAL',
      components: [{ type: 'BODY', text: '限時搶購！{{1}} 全面一折，手刀搶購！', example: { body_text: [['今晚 8 點']] } }],
    });
  }
  for (const wabaId of wabasOf(STANDARD_WORKSPACE_ID)) {
    newArrival(wabaId, 'zh_TW', '巷口小舖・回覆「退訂」停止接收');
    couponReminder(wabaId, 'zh_TW');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Customers and events

export function generateWorld(options: SeedOptions): SandboxWorld {
  const seed = options.seed ?? DEFAULT_SEED;
  const total = Math.max(0, Math.floor(options.events ?? DEFAULT_EVENT_COUNT));
  const now = options.now ?? Date.now();

  const lines = lineChannels(new Rng(seed, 'line-channels'));
  const numbers = whatsappNumbers(new Rng(seed, 'whatsapp-numbers'));
  const world: SandboxWorld = {
    workspaces: WORKSPACES.map((w) => ({ ...w, officialDomains: [...w.officialDomains] })),
    stores: STORES.map((s) => ({ ...s })),
    users: USERS.map((u) => ({ ...u })),
    lineChannels: lines,
    lineUsers: new Map<string, LineUser>(),
    whatsappNumbers: numbers,
    whatsappContacts: new Map<string, WhatsAppContact>(),
    templates: templates(new Rng(seed, 'templates'), numbers),
    events: [],
  };

  const usersById = new Map(world.users.map((u) => [u.id, u]));
  const storesById = new Map(world.stores.map((s) => [s.id, s]));
  const rng = new Rng(seed, 'events');
  const customers = new Rng(seed, 'customers');

  const newLineUser = (channelId: string): LineUser => {
    let userId = `U${customers.hex(32)}`;
    while (world.lineUsers.has(userId)) userId = `U${customers.hex(32)}`;
    const { name, language } = customerName(customers);
    // About one LINE user in eight has no profile picture (LINE then omits pictureUrl).
    const lineUser: LineUser = { userId, channelId, displayName: name, pictureUrl: customers.chance(0.88) ? avatarPath(userId) : null, language };
    world.lineUsers.set(userId, lineUser);
    return lineUser;
  };

  const newWaId = (): string => {
    const roll = customers.float();
    const rest = (count: number): string => String(customers.int(0, 10 ** count - 1)).padStart(count, '0');
    // Mostly Taiwanese mobiles (886 9xxxxxxxx), some Hong Kong, Singapore and North American numbers.
    const make = (): string =>
      roll < 0.9
        ? `8869${rest(8)}`
        : roll < 0.95
          ? `852${customers.pick(['5', '6', '9'])}${rest(7)}`
          : roll < 0.98
            ? `65${customers.pick(['8', '9'])}${rest(7)}`
            : `1${customers.int(201, 989)}${customers.int(2, 9)}${rest(6)}`;
    let waId = make();
    while (world.whatsappContacts.has(waId)) waId = make();
    return waId;
  };

  const omoLines = lines.filter((c) => c.workspaceId === OMO_WORKSPACE_ID);
  const omoNumbers = numbers.filter((n) => n.workspaceId === OMO_WORKSPACE_ID);
  const stdLines = lines.filter((c) => c.workspaceId === STANDARD_WORKSPACE_ID);
  const stdNumbers = numbers.filter((n) => n.workspaceId === STANDARD_WORKSPACE_ID);
  const assigneeTotal = OMO_ASSIGNEES.reduce((sum, [, weight]) => sum + weight, 0);

  const pickAssignee = (workspaceId: string): DemoUser => {
    let id = 'u-standard';
    if (workspaceId === OMO_WORKSPACE_ID) {
      let roll = rng.float() * assigneeTotal;
      id = OMO_ASSIGNEES[OMO_ASSIGNEES.length - 1]?.[0] ?? 'u-sales';
      for (const [candidate, weight] of OMO_ASSIGNEES) {
        roll -= weight;
        if (roll < 0) {
          id = candidate;
          break;
        }
      }
    }
    const found = usersById.get(id);
    if (!found) throw new Error(`unknown assignee ${id}`);
    return found;
  };

  // The LINE names recently used, so some WhatsApp contacts are the same person on both channels.
  const recentLineNames: string[] = [];
  const events: InboxEvent[] = [];
  for (let i = 0; i < total; i += 1) {
    // The first two events always go to ws-std (in a world of 20+), so standard@demo is never empty-handed.
    const workspaceId = rng.chance(STANDARD_SHARE) || (total >= 20 && i < 2) ? STANDARD_WORKSPACE_ID : OMO_WORKSPACE_ID;
    const channelList = workspaceId === OMO_WORKSPACE_ID ? omoLines : stdLines;
    const numberList = workspaceId === OMO_WORKSPACE_ID ? omoNumbers : stdNumbers;
    const isLine = rng.chance(0.6);
    const assignee = pickAssignee(workspaceId);
    const store = storesById.get(assignee.storeId);
    if (!store) throw new Error(`unknown store ${assignee.storeId}`);

    // Recent conversations are likelier: the square skews towards now.
    const age = rng.float() ** 1.6 * 30 * DAY;
    let lastMessageAt = Math.round(now - age);
    let lastInboundAt: number | null;
    let customer: InboxEvent['customer'];
    let channelAccount: string;

    if (isLine) {
      const channel = channelList[rng.chance(0.75) ? 0 : channelList.length - 1] ?? rng.pick(channelList);
      const lineUser = newLineUser(channel.id);
      if (recentLineNames.length < 64) recentLineNames.push(lineUser.displayName);
      else recentLineNames[i % 64] = lineUser.displayName;
      channelAccount = channel.id;
      customer = { name: lineUser.displayName, avatarUrl: lineUser.pictureUrl, platformId: lineUser.userId };
      lastInboundAt = rng.chance(0.95) ? lastMessageAt - rng.int(0, 2 * HOUR) : null;
    } else {
      const number = numberList[rng.chance(0.7) ? 0 : numberList.length - 1] ?? rng.pick(numberList);
      const waId = newWaId();
      const window = rng.float();
      if (window < 0.28) {
        // Inside the 24-hour customer-service window.
        lastInboundAt = Math.round(now - rng.float() * (DAY - HOUR));
        lastMessageAt = lastInboundAt + rng.int(0, Math.min(HOUR, now - lastInboundAt));
      } else if (window < 0.88) {
        lastInboundAt = Math.min(lastMessageAt - rng.int(0, 6 * HOUR), now - DAY - rng.int(HOUR, 5 * DAY));
      } else {
        // Never wrote: the conversation began with a template.
        lastInboundAt = null;
      }
      const name = rng.chance(0.1) && recentLineNames.length > 0 ? rng.pick(recentLineNames) : customerName(customers).name;
      const contact: WhatsAppContact = { waId, phoneNumberId: number.phoneNumberId, name, lastInboundAt, undeliverable: rng.chance(0.02) };
      world.whatsappContacts.set(waId, contact);
      channelAccount = number.phoneNumberId;
      customer = { name, avatarUrl: avatarPath(waId), platformId: waId };
    }

    const statusRoll = rng.float();
    events.push({
        // Numbered after the sort below.
        id: '',
        workspaceId,
        channel: isLine ? 'line' : 'whatsapp',
        channelAccount,
        customer,
        status: statusRoll < 0.7 ? 'in_progress' : statusRoll < 0.9 ? 'pending' : 'resolved',
        assigneeId: assignee.id,
        assigneeName: assignee.name,
        storeId: store.id,
        storeName: store.name,
        tags: pickTags(rng),
        lastMessageAt,
        lastInboundAt,
        updatedAt: Math.min(now, lastMessageAt + rng.int(0, 5 * 60 * 1000)),
    });
  }

  // Newest first, so evt_000001 is the latest conversation; ties keep generation order (Array.sort is stable).
  events.sort((a, b) => b.lastMessageAt - a.lastMessageAt);
  const width = Math.max(6, String(total).length);
  events.forEach((event, index) => {
    event.id = `evt_${String(index + 1).padStart(width, '0')}`;
  });
  world.events = events;

  // A few LINE friends with no open conversation, so the LINE emulator knows users the inbox does not show.
  for (const channel of lines) for (let i = 0; i < 5; i += 1) newLineUser(channel.id);

  return world;
}
