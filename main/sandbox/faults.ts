import { z } from 'zod';

/**
 * Faults for tests, demos and benchmarks, armed with `POST /_sandbox/faults` and consumed by the next matching
 * requests. `accept_then_cut` lets the handler accept (and record) the message, then drops the connection before the
 * response: exactly the case LINE's retry keys exist for.
 */
export const FaultSpec = z
  .object({
    /** A route name (`line.multicast`), a service wildcard (`line.*`) or `*`. */
    route: z.string().min(1).max(100),
    kind: z.enum(['error_500', 'hang', 'drop', 'status', 'latency', 'accept_then_cut']),
    /** How many matching requests the fault applies to. */
    count: z.number().int().min(1).max(1_000_000).default(1),
    /** `status`: the HTTP status to return (e.g. 429). */
    status: z.number().int().min(400).max(599).optional(),
    /** `status`: the JSON body to return; absent, the service's own error body for that status. */
    body: z.unknown().optional(),
    /** `latency`: added delay; `hang`: how long to hold the connection before dropping it (default 10 minutes). */
    ms: z.number().int().min(0).max(600_000).optional(),
  })
  .strict()
  .refine((spec) => spec.kind !== 'status' || spec.status !== undefined, { message: 'a status fault needs `status`' });
export type FaultSpec = z.output<typeof FaultSpec>;

export class Faults {
  #armed: Array<FaultSpec & { remaining: number }> = [];

  arm(spec: FaultSpec): void {
    this.#armed.push({ ...spec, remaining: spec.count });
  }

  clear(): void {
    this.#armed = [];
  }

  list(): Array<FaultSpec & { remaining: number }> {
    return this.#armed.map((fault) => ({ ...fault }));
  }

  /** The first armed fault matching the route, consumed by one; undefined when none applies. */
  take(routeName: string): FaultSpec | undefined {
    const index = this.#armed.findIndex((fault) => matches(fault.route, routeName));
    if (index < 0) return undefined;
    const fault = this.#armed[index];
    if (!fault) return undefined;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.#armed.splice(index, 1);
    return fault;
  }
}

function matches(selector: string, routeName: string): boolean {
  if (selector === '*' || selector === routeName) return true;
  return selector.endsWith('.*') && routeName.startsWith(selector.slice(0, -1));
}
