import { messagingApi } from '@line/bot-sdk';
import { describe, expect, it } from 'vitest';
import {
  LINE_MAX_RECIPIENTS,
  LINE_MAX_TEXT,
  LineMessageError,
  buildMulticastRequest,
  chunkRecipients,
  createLineClient,
} from '../../../main/channels/line/messages';

const ids = (count: number): string[] => Array.from({ length: count }, (_, index) => `U${index.toString(16).padStart(32, '0')}`);
const IMAGE = { original: 'https://media.example.com/a.jpg', preview: 'https://media.example.com/a-preview.jpg' };

function refusal(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    if (error instanceof LineMessageError) return error.code;
    throw error;
  }
  throw new Error('expected a LineMessageError');
}

describe('buildMulticastRequest', () => {
  it('puts the image first and the text second, in one request', () => {
    expect(buildMulticastRequest({ to: ids(2), imageUrl: IMAGE, text: 'New arrivals 新品到貨' })).toEqual({
      to: ids(2),
      messages: [
        { type: 'image', originalContentUrl: IMAGE.original, previewImageUrl: IMAGE.preview },
        { type: 'text', text: 'New arrivals 新品到貨' },
      ],
    });
  });

  it('builds an image-only or a text-only request, with notificationDisabled only when given', () => {
    expect(buildMulticastRequest({ to: ids(1), imageUrl: IMAGE }).messages).toEqual([
      { type: 'image', originalContentUrl: IMAGE.original, previewImageUrl: IMAGE.preview },
    ]);
    const textOnly = buildMulticastRequest({ to: ids(1), text: 'hi' });
    expect(textOnly).toEqual({ to: ids(1), messages: [{ type: 'text', text: 'hi' }] });
    expect(textOnly).not.toHaveProperty('notificationDisabled');
    expect(buildMulticastRequest({ to: ids(1), text: 'hi', notificationDisabled: true }).notificationDisabled).toBe(true);
  });

  it('copies the recipients, so a later change to the caller’s array cannot alter a persisted request', () => {
    const to = ids(3);
    const request = buildMulticastRequest({ to, text: 'hi' });
    to.push('Uextra');
    expect(request.to).toHaveLength(3);
  });

  it('takes 1 and 500 recipients and refuses 0, 501, empty and duplicate ids', () => {
    expect(buildMulticastRequest({ to: ids(LINE_MAX_RECIPIENTS), text: 'x' }).to).toHaveLength(500);
    expect(refusal(() => buildMulticastRequest({ to: [], text: 'x' }))).toBe('no_recipients');
    expect(refusal(() => buildMulticastRequest({ to: ids(501), text: 'x' }))).toBe('too_many_recipients');
    expect(refusal(() => buildMulticastRequest({ to: ['U1', ''], text: 'x' }))).toBe('invalid_recipient');
    expect(refusal(() => buildMulticastRequest({ to: ['U1', 'U2', 'U1'], text: 'x' }))).toBe('duplicate_recipient');
  });

  it('refuses a message with neither image nor text, and an empty text', () => {
    expect(refusal(() => buildMulticastRequest({ to: ids(1) }))).toBe('empty_message');
    expect(refusal(() => buildMulticastRequest({ to: ids(1), text: '' }))).toBe('text_empty');
  });

  it('counts text in UTF-16 units: 5,000 passes, 4,999 + an emoji (5,001 units) is refused', () => {
    expect(buildMulticastRequest({ to: ids(1), text: '字'.repeat(LINE_MAX_TEXT) }).messages).toHaveLength(1);
    expect(buildMulticastRequest({ to: ids(1), text: `${'a'.repeat(4998)}😀` }).messages).toHaveLength(1);
    expect(refusal(() => buildMulticastRequest({ to: ids(1), text: `${'a'.repeat(4999)}😀` }))).toBe('text_too_long');
  });

  it('refuses non-HTTPS, malformed and over-long image URLs', () => {
    const build = (original: string, preview = IMAGE.preview) => () => buildMulticastRequest({ to: ids(1), imageUrl: { original, preview } });
    expect(refusal(build('http://media.example.com/a.jpg'))).toBe('image_url_insecure');
    expect(refusal(build(IMAGE.original, 'http://media.example.com/p.jpg'))).toBe('image_url_insecure');
    expect(refusal(build('ftp://media.example.com/a.jpg'))).toBe('image_url_insecure');
    expect(refusal(build('not a url'))).toBe('image_url_invalid');
    const prefix = 'https://media.example.com/';
    expect(buildMulticastRequest({ to: ids(1), imageUrl: { original: prefix + 'a'.repeat(2000 - prefix.length), preview: IMAGE.preview } }).messages).toHaveLength(1);
    expect(refusal(build(prefix + 'a'.repeat(2001 - prefix.length)))).toBe('image_url_too_long');
  });

  it('takes plain http only from the explicitly allowed origin (the sandbox)', () => {
    const local = { original: 'http://127.0.0.1:4010/media/a.jpg', preview: 'http://127.0.0.1:4010/media/p.jpg' };
    expect(refusal(() => buildMulticastRequest({ to: ids(1), imageUrl: local }))).toBe('image_url_insecure');
    expect(buildMulticastRequest({ to: ids(1), imageUrl: local }, { allowInsecureOrigin: 'http://127.0.0.1:4010' }).messages).toHaveLength(1);
    expect(
      refusal(() => buildMulticastRequest({ to: ids(1), imageUrl: { ...local, original: 'http://127.0.0.1:4011/a.jpg' } }, { allowInsecureOrigin: 'http://127.0.0.1:4010' })),
    ).toBe('image_url_insecure');
  });
});

describe('chunkRecipients', () => {
  it('splits into chunks of 500 by default, keeping order', () => {
    const all = ids(1201);
    const chunks = chunkRecipients(all);
    expect(chunks.map((chunk) => chunk.length)).toEqual([500, 500, 201]);
    expect(chunks.flat()).toEqual(all);
  });

  it('takes a smaller size, answers [] for no ids, and refuses sizes outside 1–500', () => {
    expect(chunkRecipients(ids(5), 2).map((chunk) => chunk.length)).toEqual([2, 2, 1]);
    expect(chunkRecipients([])).toEqual([]);
    for (const size of [0, 501, 1.5, Number.NaN]) expect(() => chunkRecipients(ids(3), size)).toThrow(RangeError);
  });
});

describe('createLineClient', () => {
  it('returns the SDK client, for LINE’s public API by default or a bare origin', () => {
    expect(createLineClient({ channelAccessToken: 't' })).toBeInstanceOf(messagingApi.MessagingApiClient);
    expect(createLineClient({ channelAccessToken: 't', baseURL: 'http://127.0.0.1:4010/' })).toBeInstanceOf(messagingApi.MessagingApiClient);
  });

  it('refuses a base URL with a path, which the SDK would silently drop', () => {
    expect(() => createLineClient({ channelAccessToken: 't', baseURL: 'http://127.0.0.1:4010/line' })).toThrow(TypeError);
  });
});
