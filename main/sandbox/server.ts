import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type Logger, silentLogger } from '../log';
import { SandboxClock } from './clock';
import { DEFAULT_LIMITS, type SandboxContext, type SandboxLimits } from './context';
import { createControlService } from './control';
import { Faults } from './faults';
import { HttpProblem, type RouteMatch, Router, type SandboxReply, type SandboxRequest, type Service } from './http';
import { createInboxService } from './inbox';
import { Ledger } from './ledger';
import { createLineService } from './line';
import { RateLimiter } from './rate-limit';
import { type SeedOptions, generateWorld } from './seed';
import { createWhatsAppService } from './whatsapp';

export const SANDBOX_HOST = '127.0.0.1';

export interface SandboxOptions extends SeedOptions {
  /** 0 or absent: a free port. */
  port?: number;
  limits?: Partial<SandboxLimits>;
  clock?: SandboxClock;
  logger?: Logger;
}

export interface Sandbox {
  /** `http://127.0.0.1:<port>`: the base URL of LINE, WhatsApp and the Inbox API alike. */
  readonly origin: string;
  readonly port: number;
  readonly context: SandboxContext;
  /** Every route served, for the fuzz test and the docs. */
  readonly routes: ReadonlyArray<{ service: Service['name']; method: string; pattern: string; name: string }>;
  close(): Promise<void>;
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Reads the body, refusing (without buffering it) one larger than the service takes. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > limit) return Promise.reject(new HttpProblem('too_large', 413, 'Request entity too large'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new HttpProblem('too_large', 413, 'Request entity too large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size)));
    req.on('error', reject);
  });
}

function write(res: http.ServerResponse, reply: SandboxReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let body: Buffer | string = '';
  if (reply.raw) {
    headers['content-type'] = reply.raw.contentType;
    body = reply.raw.body;
  } else if (reply.json !== undefined) {
    headers['content-type'] = 'application/json; charset=utf-8';
    body = JSON.stringify(reply.json);
  }
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(reply.status, headers);
  res.end(body);
}

/**
 * Starts the loopback emulator of LINE, WhatsApp and the Inbox API (DESIGN §2): one HTTP server on 127.0.0.1, each
 * service at the paths the real one uses (LINE at the root, since @line/bot-sdk drops a base URL's path).
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? new SandboxClock();
  const limits: SandboxLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const held = new Set<Socket>();
  let origin = '';

  const context: SandboxContext = {
    clock,
    ledger: new Ledger(),
    faults: new Faults(),
    rate: new RateLimiter(() => clock.now()),
    limits,
    world: generateWorld({ ...options, now: options.now ?? clock.now() }),
    get origin() {
      return origin;
    },
  };

  const services: Service[] = [createControlService(), createLineService(), createWhatsAppService(), createInboxService()];
  const router = new Router(services);

  const problemReply = (service: Service | null, problem: HttpProblem): SandboxReply =>
    service ? service.problem(problem, context) : { status: problem.status, json: { error: { code: problem.kind, message: problem.message } } };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    let url: URL;
    let path: string;
    try {
      url = new URL(req.url ?? '/', origin);
      path = decodeURIComponent(url.pathname);
    } catch {
      return write(res, { status: 400, json: { error: { code: 'bad_request', message: 'Malformed request URL' } } });
    }
    const method = req.method ?? 'GET';
    const match: RouteMatch = router.match(method, path);
    if (match.kind !== 'route') {
      req.resume();
      const problem =
        match.kind === 'not_found'
          ? new HttpProblem('not_found', 404, `No route for ${path}`)
          : new HttpProblem('method_not_allowed', 405, `${method} is not allowed on ${path}`);
      const reply = problemReply(match.service, problem);
      match.service?.decorate?.(reply, null, context);
      return write(res, reply);
    }
    const { route, service, params } = match;

    // Test controls (everything under /_sandbox/) are never faulted: a test must always be able to reach them.
    const fault = path.startsWith('/_sandbox/') ? undefined : context.faults.take(route.name);
    if (fault?.kind === 'drop') return void req.socket.destroy();
    if (fault?.kind === 'hang') {
      held.add(req.socket);
      const timer = setTimeout(() => req.socket.destroy(), fault.ms ?? 600_000);
      req.socket.once('close', () => {
        clearTimeout(timer);
        held.delete(req.socket);
      });
      req.resume();
      return;
    }
    if (fault?.kind === 'latency') await new Promise((resolve) => setTimeout(resolve, fault.ms ?? 1000));

    let reply: SandboxReply;
    let request: SandboxRequest | null = null;
    try {
      const body = await readBody(req, service.maxBodyBytes);
      request = {
        method,
        path,
        query: url.searchParams,
        headers: req.headers,
        params,
        body,
        contentType: mediaType(req.headers['content-type']),
      };
      if (fault?.kind === 'error_500') throw new HttpProblem('internal', 500, 'Injected server error');
      if (fault?.kind === 'status') {
        reply =
          fault.body === undefined
            ? problemReply(service, new HttpProblem('internal', fault.status ?? 500, 'Injected error'))
            : { status: fault.status ?? 500, json: fault.body };
      } else {
        reply = await route.handle(request, context);
      }
    } catch (error) {
      if (error instanceof HttpProblem) reply = problemReply(service, error);
      else {
        logger.error('sandbox handler failed', { route: route.name, error });
        reply = problemReply(service, new HttpProblem('internal', 500, 'Internal server error'));
      }
    }
    // Accepted and recorded, then the connection drops before the answer: the client cannot know it went through.
    if (fault?.kind === 'accept_then_cut') return void req.socket.destroy();
    service.decorate?.(reply, request, context);
    if (reply.status === 413) res.setHeader('connection', 'close');
    write(res, reply);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      logger.error('sandbox request failed', { error });
      if (!res.headersSent) write(res, { status: 500, json: { error: { code: 'internal', message: 'Internal error' } } });
      else res.destroy();
    });
  });
  // Malformed HTTP gets a 400 and the connection closed, never a crash.
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, SANDBOX_HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  origin = `http://${SANDBOX_HOST}:${port}`;
  logger.info('sandbox started', { origin });

  return {
    origin,
    port,
    context,
    routes: services.flatMap((service) =>
      service.routes.map((route) => ({ service: service.name, method: route.method, pattern: route.pattern, name: route.name })),
    ),
    async close() {
      for (const socket of held) socket.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
