import type { messagingApi } from '@line/bot-sdk';

/**
 * The app's own LINE request builder (DESIGN §4, API-FACTS §1.4): one multicast request per chunk of at most 500 user
 * ids, the image first and the text second, so a broadcast costs one quota unit per recipient. It refuses locally what
 * LINE would refuse with a 400, so a bad draft fails before any recipient is marked in flight.
 */

export const LINE_MAX_RECIPIENTS = 500;
/** In UTF-16 code units, as LINE counts them (JS `.length`). */
export const LINE_MAX_TEXT = 5000;
export const LINE_MAX_URL = 2000;

export type LineMessageErrorCode =
  | 'no_recipients'
  | 'too_many_recipients'
  | 'invalid_recipient'
  | 'duplicate_recipient'
  | 'empty_message'
  | 'text_empty'
  | 'text_too_long'
  | 'image_url_invalid'
  | 'image_url_insecure'
  | 'image_url_too_long';

export class LineMessageError extends Error {
  constructor(
    readonly code: LineMessageErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'LineMessageError';
  }
}

export interface LineImageUrls {
  /** The full image (JPEG or PNG, ≤ 10 MB) on HTTPS. */
  original: string;
  /** The preview (JPEG or PNG, ≤ 1 MB) on HTTPS. */
  preview: string;
}

export interface MulticastInput {
  to: readonly string[];
  imageUrl?: LineImageUrls;
  text?: string;
  notificationDisabled?: boolean;
}

export interface BuildOptions {
  /**
   * An origin (`http://127.0.0.1:4010`) whose plain-http URLs are accepted: the sandbox's own, which serves the demo's
   * images without TLS. Every other URL must be HTTPS, as LINE requires.
   */
  allowInsecureOrigin?: string;
}

function checkImageUrl(value: string, field: 'original' | 'preview', options: BuildOptions): void {
  if (value.length > LINE_MAX_URL) {
    throw new LineMessageError('image_url_too_long', `The ${field} image URL is longer than ${LINE_MAX_URL} characters`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new LineMessageError('image_url_invalid', `The ${field} image URL is not a valid URL`);
  }
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && options.allowInsecureOrigin !== undefined && url.origin === new URL(options.allowInsecureOrigin).origin) return;
  throw new LineMessageError('image_url_insecure', `The ${field} image URL must use HTTPS`);
}

function checkRecipients(to: readonly string[]): void {
  if (to.length === 0) throw new LineMessageError('no_recipients', 'A multicast needs at least one recipient');
  if (to.length > LINE_MAX_RECIPIENTS) {
    throw new LineMessageError('too_many_recipients', `A multicast takes at most ${LINE_MAX_RECIPIENTS} recipients, got ${to.length}`);
  }
  // LINE does not document what a repeated id does; never sending one keeps "exactly once per customer" ours to prove.
  const seen = new Set<string>();
  for (const id of to) {
    if (typeof id !== 'string' || id.length === 0) throw new LineMessageError('invalid_recipient', 'A recipient id is empty');
    if (seen.has(id)) throw new LineMessageError('duplicate_recipient', `The recipient ${id} appears twice`);
    seen.add(id);
  }
}

/** One multicast request: the image (if any) then the text (if any), for at most 500 distinct user ids. */
export function buildMulticastRequest(input: MulticastInput, options: BuildOptions = {}): messagingApi.MulticastRequest {
  checkRecipients(input.to);
  if (input.imageUrl === undefined && input.text === undefined) {
    throw new LineMessageError('empty_message', 'A LINE broadcast needs an image, a text or both');
  }
  const messages: messagingApi.Message[] = [];
  if (input.imageUrl !== undefined) {
    checkImageUrl(input.imageUrl.original, 'original', options);
    checkImageUrl(input.imageUrl.preview, 'preview', options);
    messages.push({ type: 'image', originalContentUrl: input.imageUrl.original, previewImageUrl: input.imageUrl.preview });
  }
  if (input.text !== undefined) {
    if (input.text.length === 0) throw new LineMessageError('text_empty', 'The text is empty');
    if (input.text.length > LINE_MAX_TEXT) {
      throw new LineMessageError('text_too_long', `The text is ${input.text.length} UTF-16 units; LINE takes at most ${LINE_MAX_TEXT}`);
    }
    messages.push({ type: 'text', text: input.text });
  }
  const request: messagingApi.MulticastRequest = { to: [...input.to], messages };
  if (input.notificationDisabled !== undefined) request.notificationDisabled = input.notificationDisabled;
  return request;
}

/** Splits recipients into consecutive chunks of at most `size` (one multicast request each), order kept. */
export function chunkRecipients(ids: readonly string[], size: number = LINE_MAX_RECIPIENTS): string[][] {
  if (!Number.isInteger(size) || size < 1 || size > LINE_MAX_RECIPIENTS) {
    throw new RangeError(`The chunk size must be an integer from 1 to ${LINE_MAX_RECIPIENTS}, got ${size}`);
  }
  const chunks: string[][] = [];
  for (let start = 0; start < ids.length; start += size) chunks.push(ids.slice(start, start + size));
  return chunks;
}

export { createLineClient, LINE_API_BASE_URL, type LineClientOptions } from './client';
