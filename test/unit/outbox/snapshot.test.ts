import { describe, expect, it } from 'vitest';
import { OutboxSnapshotSchema, parseSnapshot } from '../../../main/outbox/types';

const content = {
  version: 1,
  senderId: 'u-sales',
  senderName: '林志豪',
  text: 'hi',
  lineText: 'hi',
  links: [],
  image: null,
  whatsapp: [
    {
      phoneNumberId: '100000000000001',
      template: { name: 'new_arrival', language: 'zh_TW', parameterFormat: 'POSITIONAL', headerImage: false, params: ['1'] },
      params: { '1': { source: 'customer_name', fallback: '貴賓' } },
    },
  ],
};

const good = { eventId: 'e1', channel: 'line', channelAccount: '1600000001', recipientId: 'U1', customerName: 'A', state: 'pending', reason: null };

function snapshot(recipients: unknown[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { id: 'b1', createdBy: 'u-sales', draftId: null, content, createdAt: 1, expiresAt: 2, recipients, ...overrides };
}

const cases: Array<[string, unknown]> = [
  ['a valid snapshot', snapshot([good, { ...good, eventId: 'e2', state: 'skipped', reason: 'not_in_progress' }])],
  ['no recipients', snapshot([])],
  ['a pending recipient with a reason', snapshot([{ ...good, reason: 'duplicate' }])],
  ['a skipped recipient without a reason', snapshot([{ ...good, state: 'skipped' }])],
  ['an unknown skip reason', snapshot([{ ...good, state: 'skipped', reason: 'because' }])],
  ['a recipient state the snapshot cannot have', snapshot([{ ...good, state: 'accepted' }])],
  ['an unknown channel', snapshot([{ ...good, channel: 'sms' }])],
  ['an empty recipient id', snapshot([{ ...good, recipientId: '' }])],
  ['an extra field', snapshot([{ ...good, extra: 1 }])],
  ['a missing field', snapshot([{ eventId: 'e', channel: 'line', channelAccount: 'a', recipientId: 'r', customerName: 'n', state: 'pending' }])],
  ['a recipient that is not an object', snapshot(['U1'])],
  ['a customer name that is not text', snapshot([{ ...good, customerName: 7 }])],
  ['expiry before creation', snapshot([good], { expiresAt: 0 })],
  ['content of another version', snapshot([good], { content: { ...content, version: 2 } })],
  ['an unknown top-level field', snapshot([good], { extra: true })],
];

describe('parseSnapshot', () => {
  it.each(cases)('agrees with OutboxSnapshotSchema on %s', (_name, value) => {
    const parsed = parseSnapshot(value);
    expect(parsed.ok).toBe(OutboxSnapshotSchema.safeParse(value).success);
    if (parsed.ok) expect(parsed.snapshot).toEqual(OutboxSnapshotSchema.parse(value));
  });
});
