import { messagingApi } from '@line/bot-sdk';

export const LINE_API_BASE_URL = 'https://api.line.me';

export interface LineClientOptions {
  channelAccessToken: string;
  /** The API origin; absent, LINE's public API. The sandbox passes its own origin. */
  baseURL?: string;
}

/**
 * The SDK's client for one channel. The SDK builds URLs as `new URL('/v2/bot/…', baseURL)`, which silently drops any
 * path in the base URL (API-FACTS §2), so a base URL with a path is refused here instead of misrouting every call.
 */
export function createLineClient(options: LineClientOptions): messagingApi.MessagingApiClient {
  const baseURL = options.baseURL ?? LINE_API_BASE_URL;
  const url = new URL(baseURL);
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    throw new TypeError(`The LINE base URL must be a bare http(s) origin, got ${baseURL}`);
  }
  return new messagingApi.MessagingApiClient({ channelAccessToken: options.channelAccessToken, baseURL: url.origin });
}
