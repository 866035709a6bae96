import type { IncomingHttpHeaders } from 'node:http';
import type { SandboxContext } from './context';

export type ServiceName = 'line' | 'whatsapp' | 'inbox' | 'control';

/** A request as the services see it: the body already read (within the service's size limit). */
export interface SandboxRequest {
  readonly method: string;
  /** The decoded path, without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly params: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The media type of the body, lower-cased, without parameters; '' when there is none. */
  readonly contentType: string;
}

export interface SandboxReply {
  status: number;
  headers?: Record<string, string>;
  /** Sent as application/json. */
  json?: unknown;
  /** Sent as is (media, avatars). */
  raw?: { body: Buffer | string; contentType: string };
}

/** The framework's refusals, which each service words in its own error format. */
export type ProblemKind =
  | 'not_found'
  | 'method_not_allowed'
  | 'too_large'
  | 'invalid_json'
  | 'unsupported_media_type'
  | 'internal';

export class HttpProblem extends Error {
  constructor(
    readonly kind: ProblemKind,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Literal segments and `:param` segments, e.g. `/:version/:phoneNumberId/messages`. */
  readonly pattern: string;
  /** A stable name that faults select routes by, e.g. `line.multicast`. */
  readonly name: string;
  handle(req: SandboxRequest, ctx: SandboxContext): SandboxReply | Promise<SandboxReply>;
}

export interface Service {
  readonly name: ServiceName;
  /** Whether a path belongs to this service, so a bad path or method is refused in the service's own format. */
  owns(path: string): boolean;
  readonly routes: readonly Route[];
  /** The largest body the service reads; a larger one gets its 413. */
  readonly maxBodyBytes: number;
  /** The service's error body for a framework refusal or an injected 500. */
  problem(problem: HttpProblem, ctx: SandboxContext): SandboxReply;
  /** Adds what every response of the service carries (LINE's x-line-request-id, Graph's x-fb-trace-id…). */
  decorate?(reply: SandboxReply, req: SandboxRequest | null, ctx: SandboxContext): void;
}

/** Parses the body as JSON, or throws the service-neutral problem the service then words. */
export function readJson(req: SandboxRequest): unknown {
  if (req.contentType !== 'application/json') {
    throw new HttpProblem('unsupported_media_type', 415, `Unsupported content type: ${req.contentType || '(none)'}`);
  }
  try {
    return JSON.parse(req.body.toString('utf8')) as unknown;
  } catch {
    throw new HttpProblem('invalid_json', 400, 'The request body could not be parsed as JSON');
  }
}

export function json(status: number, body: unknown, headers?: Record<string, string>): SandboxReply {
  return headers ? { status, json: body, headers } : { status, json: body };
}

interface CompiledRoute {
  route: Route;
  service: Service;
  segments: Array<{ literal: string } | { param: string }>;
  literals: number;
}

export type RouteMatch =
  | { kind: 'route'; route: Route; service: Service; params: Record<string, string> }
  | { kind: 'method_not_allowed'; service: Service }
  | { kind: 'not_found'; service: Service | null };

/** Matches paths to routes; literal segments win over parameters (`/v1/events/status` over `/v1/events/:id`). */
export class Router {
  readonly #routes: CompiledRoute[] = [];

  constructor(readonly services: readonly Service[]) {
    for (const service of services) {
      for (const route of service.routes) {
        const segments = route.pattern
          .split('/')
          .filter(Boolean)
          .map((segment) => (segment.startsWith(':') ? { param: segment.slice(1) } : { literal: segment }));
        this.#routes.push({ route, service, segments, literals: segments.filter((s) => 'literal' in s).length });
      }
    }
    this.#routes.sort((a, b) => b.literals - a.literals);
  }

  match(method: string, path: string): RouteMatch {
    const parts = path.split('/').filter(Boolean);
    let pathMatched: CompiledRoute | null = null;
    const testArea = path.startsWith('/_sandbox/');
    for (const candidate of this.#routes) {
      if (candidate.segments.length !== parts.length) continue;
      // A path belongs to one service: `/v1/x/messages` is the Inbox's 404, not a Graph route with version "v1".
      // Under /_sandbox/ each service may add test controls of its own.
      if (!testArea && !candidate.service.owns(path)) continue;
      const params: Record<string, string> = {};
      const fits = candidate.segments.every((segment, index) => {
        const part = parts[index] ?? '';
        if ('literal' in segment) return segment.literal === part;
        params[segment.param] = part;
        return part.length > 0;
      });
      if (!fits) continue;
      if (candidate.route.method === method) return { kind: 'route', route: candidate.route, service: candidate.service, params };
      pathMatched ??= candidate;
    }
    if (pathMatched) return { kind: 'method_not_allowed', service: pathMatched.service };
    return { kind: 'not_found', service: this.services.find((service) => service.owns(path)) ?? null };
  }
}
