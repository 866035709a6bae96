/** One part of a multipart/form-data body. */
export interface MultipartPart {
  /** The form field name from Content-Disposition. */
  name: string;
  filename: string | null;
  /** The part's Content-Type, lower-cased without parameters; '' when absent. */
  contentType: string;
  data: Buffer;
}

/** The boundary parameter of a Content-Type header, or null when the header is not multipart/form-data. */
export function multipartBoundary(header: string | undefined): string | null {
  if (!header || !/^\s*multipart\/form-data\s*;/i.test(header)) return null;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(header);
  const boundary = match?.[1] ?? match?.[2];
  return boundary && boundary.length <= 70 ? boundary : null;
}

function headerParam(value: string, param: string): string | null {
  const match = new RegExp(`;\\s*${param}="((?:[^"\\\\]|\\\\.)*)"|;\\s*${param}=([^;\\s]+)`, 'i').exec(value);
  const raw = match?.[1] ?? match?.[2];
  return raw === undefined ? null : raw.replace(/\\(.)/g, '$1');
}

/**
 * Splits a multipart/form-data body (RFC 7578) into parts, with Buffer.indexOf so a 25 MB upload is one linear pass.
 * Returns null for a malformed body (no closing delimiter, a part without headers or without a name).
 */
export function parseMultipart(body: Buffer, boundary: string): MultipartPart[] | null {
  const delimiter = Buffer.from(`--${boundary}`);
  const parts: MultipartPart[] = [];
  let position = body.indexOf(delimiter);
  if (position < 0) return null;
  for (;;) {
    position += delimiter.length;
    // `--` right after the delimiter closes the body.
    if (body[position] === 0x2d && body[position + 1] === 0x2d) return parts;
    if (body[position] !== 0x0d || body[position + 1] !== 0x0a) return null;
    position += 2;
    const headerEnd = body.indexOf('\r\n\r\n', position);
    if (headerEnd < 0) return null;
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), delimiter]), headerEnd + 4);
    if (next < 0) return null;
    const headers = new Map<string, string>();
    for (const line of body.subarray(position, headerEnd).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const disposition = headers.get('content-disposition') ?? '';
    const name = headerParam(disposition, 'name');
    if (!/^form-data\b/i.test(disposition) || name === null) return null;
    parts.push({
      name,
      filename: headerParam(disposition, 'filename'),
      contentType: (headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '',
      data: body.subarray(headerEnd + 4, next),
    });
    position = next + 2;
  }
}
