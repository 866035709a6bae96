import type { z } from 'zod';
import {
  type ErrorCode,
  type MethodName,
  type MethodOutput,
  type Methods,
  type Result,
  err,
  isMethodName,
  methods,
  ok,
} from '../preload/contract';
import type { Logger } from './log';

/** What main implements: one handler per contract method, taking the already-validated input. */
export type Handlers = {
  [M in MethodName]: (input: z.output<Methods[M]['input']>) => Promise<MethodOutput<M>> | MethodOutput<M>;
};

/** A failure a handler means to report: it becomes a Result error with this code and message. */
export class AppFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'AppFailure';
  }
}

export type Dispatch = (method: unknown, input: unknown) => Promise<Result<unknown>>;

/** zod's issues, as one line a developer can read; values are never echoed back (they might be secrets). */
function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(input)'}: ${issue.message}`)
    .join('; ');
}

/**
 * The one entry point of both transports: checks the method name, validates the input with the contract before any
 * handler runs, and turns every throw into a Result. Outputs are checked too, so main cannot drift from the contract.
 */
export interface DispatcherOptions {
  /** Methods whose (large, main-built) outputs are not re-validated on every call. Inputs are always validated. */
  trustedOutputs?: ReadonlySet<MethodName>;
}

export function createDispatcher(handlers: Handlers, logger: Logger, options: DispatcherOptions = {}): Dispatch {
  return async (method, input) => {
    if (!isMethodName(method)) {
      return err('unknown_method', `Unknown method: ${typeof method === 'string' ? method.slice(0, 64) : typeof method}`);
    }
    const spec = methods[method];
    const parsed = spec.input.safeParse(input);
    if (!parsed.success) {
      return err('invalid_input', `${method}: ${describeIssues(parsed.error)}`);
    }
    try {
      const handler = handlers[method] as (value: unknown) => unknown;
      const value = await handler(parsed.data);
      if (options.trustedOutputs?.has(method)) return ok(value);
      const checked = spec.output.safeParse(value);
      if (!checked.success) {
        logger.error('handler output broke the contract', { method, issues: describeIssues(checked.error) });
        return err('internal', `${method}: the result did not match the contract`);
      }
      return ok(checked.data);
    } catch (error) {
      if (error instanceof AppFailure) return err(error.code, error.message);
      logger.error('handler failed', { method, error });
      return err('internal', `${method} failed; see the log`);
    }
  };
}
