import { z } from 'zod';
import { type MethodName, methodNames, methods } from '../../preload/contract';

/** Values of every JSON shape (and a few that are not JSON) that a hostile or buggy caller might send. */
const WRONG_VALUES: unknown[] = [12345, -1.5, 'x'.repeat(6000), '', true, null, [], {}, ['a'], { nested: { deep: 1 } }];

/**
 * Malformed payloads for one method, derived from its input schema rather than a hand-kept list: wrong top-level
 * shapes, an unknown extra key, and each field of the object given a value of the wrong type. Every payload
 * returned is checked to be rejected by the schema, so the list cannot silently contain a valid call.
 */
export function malformedPayloads(method: MethodName): unknown[] {
  const schema = methods[method].input as z.ZodType;
  const candidates: unknown[] = [undefined, null, 42, 'payload', [], [{}], true];
  candidates.push({ __unexpected__: 'field' });
  if (schema instanceof z.ZodObject) {
    const shape = schema.shape as Record<string, z.ZodType>;
    for (const [key, field] of Object.entries(shape)) {
      const wrong = WRONG_VALUES.find((value) => !field.safeParse(value).success);
      if (wrong !== undefined) candidates.push({ [key]: wrong });
    }
  }
  return candidates.filter((payload) => !schema.safeParse(payload).success);
}

export function allMalformedCalls(): Array<{ method: MethodName; payload: unknown }> {
  return methodNames.flatMap((method) => malformedPayloads(method).map((payload) => ({ method, payload })));
}
