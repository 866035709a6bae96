import { HTTPFetchError } from '@line/bot-sdk';
import { describe, expect, it } from 'vitest';
import { LINE_MONTHLY_LIMIT_MESSAGE, LineTimeoutError, classifyLineError } from '../../../main/channels/line/errors';

function fetchError(status: number, body: unknown, headers: Record<string, string> = {}): HTTPFetchError {
  return new HTTPFetchError(`${status} - x`, {
    status,
    statusText: 'x',
    headers: new Headers({ 'x-line-request-id': 'req-now', ...headers }),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

describe('classifyLineError (the LINE multicast error policy)', () => {
  it('409 is "already accepted", with the accepting request id', () => {
    const error = fetchError(409, { message: 'The retry key is already accepted' }, { 'x-line-accepted-request-id': 'req-first' });
    expect(classifyLineError(error)).toMatchObject({ kind: 'already_accepted', acceptedRequestId: 'req-first', requestId: 'req-now', status: 409 });
  });

  it('tells the monthly limit from the rate limit by the message alone', () => {
    expect(classifyLineError(fetchError(429, { message: LINE_MONTHLY_LIMIT_MESSAGE }))).toMatchObject({ kind: 'monthly_limit', reason: 'line_quota' });
    expect(classifyLineError(fetchError(429, { message: 'The API rate limit has been exceeded. Try again later.' }))).toMatchObject({
      kind: 'rate_limited',
    });
    // An unreadable 429 is treated as a rate limit (retrying is safe under the key; a quota stop is not undoable).
    expect(classifyLineError(fetchError(429, 'not json'))).toMatchObject({ kind: 'rate_limited' });
  });

  it('5xx is a server error to retry', () => {
    expect(classifyLineError(fetchError(500, { message: 'Internal server error' }))).toMatchObject({ kind: 'server_error', reason: 'line_server_error: 500' });
    expect(classifyLineError(fetchError(503, ''))).toMatchObject({ kind: 'server_error', reason: 'line_server_error: 503' });
  });

  it("other 4xx are rejected with LINE's message and the first details", () => {
    const error = fetchError(400, {
      message: 'The request body has 1 error(s)',
      details: [{ message: 'Length must be between 0 and 5000', property: 'messages[1].text' }],
    });
    expect(classifyLineError(error)).toMatchObject({
      kind: 'rejected',
      reason: 'line_rejected: The request body has 1 error(s) (messages[1].text: Length must be between 0 and 5000)',
    });
    expect(classifyLineError(fetchError(401, {}))).toMatchObject({ kind: 'rejected', reason: 'line_rejected: HTTP 401' });
    expect(classifyLineError(fetchError(400, { message: 'x'.repeat(1000) })).reason.length).toBeLessThanOrEqual('line_rejected: '.length + 300);
  });

  it('no answer (timeout, network, unreadable body) may have been accepted: retried under the key', () => {
    expect(classifyLineError(new LineTimeoutError(20_000))).toMatchObject({ kind: 'no_answer', reason: 'line_timeout', status: null });
    expect(classifyLineError(new TypeError('fetch failed'))).toMatchObject({ kind: 'no_answer', reason: 'line_network' });
    expect(classifyLineError(new SyntaxError('Unexpected token'))).toMatchObject({ kind: 'no_answer', reason: 'line_unreadable' });
    expect(classifyLineError(new Error('?'))).toMatchObject({ kind: 'no_answer', reason: 'line_unknown' });
  });
});
