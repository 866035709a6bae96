/**
 * Generated, deterministic data for the event grid: a columnar EventList of any size (in the plain form main builds;
 * the fake bridge packs it as main's events.list does), and the
 * SessionInfo of each demo login.
 */
import { type DemoAccount, type PlainEventList, SIGNED_OUT_SESSION, type SessionInfo } from '../../preload/contract';

export const STORES = [
  { id: 'store-xinyi', name: '台北信義店' },
  { id: 'store-qinmei', name: '台中勤美店' },
  { id: 'store-dream', name: '高雄夢時代店' },
];
export const ASSIGNEES = [
  { id: 'u-sales', name: '林志豪' },
  { id: 'u-sales2', name: '王美玲' },
  { id: 'u-manager', name: '陳怡君' },
];
export const TAGS = ['VIP', '新客', '回購', '會員', '待回覆', '母親節'];
export const ACCOUNTS = [
  { channel: 'line' as const, id: '1650000001', name: '晨光選物 LINE' },
  { channel: 'whatsapp' as const, id: '109876543210', name: '晨光選物 WhatsApp' },
];

/** The first rows are fixed, so tests can name them; the rest are generated. */
export const FIXED_NAMES = ['Amy Chen', '王小明', 'AMY 林', 'Kevin Wang', '王美麗', 'ａｍｙ 李', 'Jessica Lin', '陳大文'];

const SURNAMES = ['陳', '林', '黃', '張', '李', '吳', '劉', '蔡', '楊', '許'];
const GIVEN = ['怡君', '雅婷', '淑芬', '志明', '俊傑', '家豪', '詩涵', '冠宇'];
const ENGLISH = ['Leo', 'Grace', 'Ryan', 'Cindy', 'Allen', 'Iris', 'Ken', 'Nina'];

export interface EventListOptions {
  /** Row i is WhatsApp when this says so; default: every third row. */
  whatsapp?: (row: number) => boolean;
  version?: number;
  lastSyncedAt?: number | null;
  now?: number;
  /** Ids are `evt-<n>`; a different prefix makes another account's list. */
  idPrefix?: string;
}

export function eventId(row: number, prefix = 'evt-'): string {
  return `${prefix}${row}`;
}

export function makeEventList(count: number, options: EventListOptions = {}): PlainEventList {
  const now = options.now ?? Date.UTC(2025, 0, 15, 9, 30);
  const isWhatsapp = options.whatsapp ?? ((row: number) => row % 3 === 2);
  const ids: string[] = [];
  const names: string[] = [];
  const channels: number[] = [];
  const accountIndex: number[] = [];
  const lastMessageAt: number[] = [];
  const storeIndex: number[] = [];
  const assigneeIndex: number[] = [];
  const tagIndex: number[][] = [];
  const avatar: boolean[] = [];
  for (let row = 0; row < count; row += 1) {
    ids.push(eventId(row, options.idPrefix));
    names.push(
      FIXED_NAMES[row] ??
        (row % 4 === 0
          ? `${ENGLISH[row % ENGLISH.length]} ${SURNAMES[(row >> 2) % SURNAMES.length]}`
          : `${SURNAMES[row % SURNAMES.length]}${GIVEN[(row >> 1) % GIVEN.length]}`),
    );
    const whatsapp = isWhatsapp(row);
    channels.push(whatsapp ? 1 : 0);
    accountIndex.push(whatsapp ? 1 : 0);
    // Newest first, a minute apart.
    lastMessageAt.push(now - (row + 1) * 60_000);
    storeIndex.push(row % 5 === 4 ? -1 : row % STORES.length);
    assigneeIndex.push(row % ASSIGNEES.length);
    tagIndex.push(row % 4 === 0 ? [] : [row % TAGS.length, ...(row % 7 === 1 ? [(row + 1) % TAGS.length] : [])]);
    avatar.push(row % 2 === 0);
  }
  return {
    rows: { ids, names, channels, accountIndex, lastMessageAt, storeIndex, assigneeIndex, tagIndex, avatar },
    stores: STORES,
    assignees: ASSIGNEES,
    tags: TAGS,
    accounts: ACCOUNTS,
    version: options.version ?? 1,
    lastSyncedAt: options.lastSyncedAt === undefined ? now - 3 * 60_000 : options.lastSyncedAt,
  };
}

export const SIGNED_OUT: SessionInfo = SIGNED_OUT_SESSION;

/** What main reports once `account` signed in (the seed's rule decides canBroadcast). */
export function sessionFor(account: DemoAccount, inboxUrl: string): SessionInfo {
  const planOk = account.plan === 'omo';
  const roleOk = account.role === 'sales_manager' || account.role === 'sales_person';
  return {
    signedIn: true,
    expired: false,
    inboxUrl,
    account: account.account,
    user: { id: `u-${account.account}`, name: account.name, role: account.role },
    workspace: planOk ? { id: 'ws-omo', name: '晨光選物 Morning Light', plan: 'omo' } : { id: 'ws-std', name: '巷口小舖 Corner Shop', plan: 'standard' },
    store: account.store === null ? null : { id: 'store-xinyi', name: account.store },
    canBroadcast: planOk && roleOk,
    broadcastBlock: !planOk ? 'plan' : !roleOk ? 'role' : null,
    channels: [
      { channel: 'line', id: '1650000001', name: '晨光選物 LINE', detail: '', tokenHint: '…a1f' },
      { channel: 'whatsapp', id: '109876543210', name: '晨光選物 WhatsApp', detail: '+886 2 2720 1234', tokenHint: '…9c2' },
    ],
  };
}
