import { z } from 'zod';
import type { SandboxLimits } from './context';
import { FaultSpec } from './faults';
import { HttpProblem, type Service, json, readJson } from './http';
import type { LedgerChannel } from './ledger';

const LimitsPatch = z
  .object({
    lineMulticastPerSecond: z.number().positive(),
    lineOtherPerSecond: z.number().positive(),
    lineMonthlyQuota: z.number().int().nonnegative().nullable(),
    lineRetryKeyTtlMs: z.number().int().positive(),
    whatsappMessagesPerSecond: z.number().positive(),
    whatsappPairIntervalMs: z.number().int().nonnegative(),
  })
  .partial()
  .strict();

const ClockCommand = z
  .object({ advanceMs: z.number().int().optional(), freezeAt: z.number().int().optional(), resume: z.literal(true).optional() })
  .strict();

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new HttpProblem('invalid_json', 400, parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; '));
  }
  return parsed.data;
}

/** JSON numbers cannot be Infinity: a lifted limit is written as null in the answer. */
function limitsView(limits: SandboxLimits): Record<string, number | null> {
  return Object.fromEntries(Object.entries(limits).map(([key, value]) => [key, Number.isFinite(value) ? value : null]));
}

/** `/_sandbox/*`: the ledger, faults, the clock and the limits, for tests, demos and benchmarks. */
export function createControlService(): Service {
  return {
    name: 'control',
    owns: (path) => path.startsWith('/_sandbox/'),
    maxBodyBytes: 64 * 1024,
    problem: (problem) => json(problem.status, { error: { code: problem.kind, message: problem.message } }),
    routes: [
      { method: 'GET', pattern: '/_sandbox/health', name: 'control.health', handle: (_req, ctx) => json(200, { ok: true, now: ctx.clock.now() }) },
      {
        method: 'GET',
        pattern: '/_sandbox/ledger',
        name: 'control.ledger',
        handle: (req, ctx) => {
          const channel = req.query.get('channel');
          const since = req.query.get('since');
          const filter: { channel?: LedgerChannel; since?: number } = {
            ...(channel === 'line' || channel === 'whatsapp' ? { channel } : {}),
            ...(since !== null && Number.isFinite(Number(since)) ? { since: Number(since) } : {}),
          };
          // `?count=only` answers the size without the entries (benchmarks hold millions).
          if (req.query.get('count') === 'only') return json(200, { count: ctx.ledger.count(filter) });
          const entries = ctx.ledger.entries(filter);
          return json(200, { count: entries.length, entries });
        },
      },
      { method: 'DELETE', pattern: '/_sandbox/ledger', name: 'control.ledger.clear', handle: (_req, ctx) => (ctx.ledger.clear(), json(200, { cleared: true })) },
      {
        method: 'POST',
        pattern: '/_sandbox/faults',
        name: 'control.faults.arm',
        handle: (req, ctx) => {
          const body = readJson(req);
          const specs = parse(z.union([FaultSpec, z.array(FaultSpec).max(100)]), body);
          for (const spec of Array.isArray(specs) ? specs : [specs]) ctx.faults.arm(spec);
          return json(200, { armed: ctx.faults.list() });
        },
      },
      { method: 'GET', pattern: '/_sandbox/faults', name: 'control.faults.list', handle: (_req, ctx) => json(200, { armed: ctx.faults.list() }) },
      { method: 'DELETE', pattern: '/_sandbox/faults', name: 'control.faults.clear', handle: (_req, ctx) => (ctx.faults.clear(), json(200, { armed: [] })) },
      { method: 'GET', pattern: '/_sandbox/clock', name: 'control.clock', handle: (_req, ctx) => json(200, { now: ctx.clock.now() }) },
      {
        method: 'POST',
        pattern: '/_sandbox/clock',
        name: 'control.clock.set',
        handle: (req, ctx) => {
          const command = parse(ClockCommand, readJson(req));
          if (command.freezeAt !== undefined) ctx.clock.freeze(command.freezeAt);
          if (command.advanceMs !== undefined) ctx.clock.advance(command.advanceMs);
          if (command.resume) ctx.clock.resume();
          return json(200, { now: ctx.clock.now() });
        },
      },
      { method: 'GET', pattern: '/_sandbox/config', name: 'control.config', handle: (_req, ctx) => json(200, { limits: limitsView(ctx.limits) }) },
      {
        method: 'POST',
        pattern: '/_sandbox/config',
        name: 'control.config.set',
        handle: (req, ctx) => {
          const patch = parse(LimitsPatch, readJson(req));
          Object.assign(ctx.limits, patch);
          ctx.rate.reset();
          return json(200, { limits: limitsView(ctx.limits) });
        },
      },
    ],
  };
}
