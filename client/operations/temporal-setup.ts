// `herald temporal setup`: what herald needs on its namespace (its search attributes), registered
// through the operator API. Idempotent; where that API is refused it hands back the commands.

import { setTimeout as sleep } from 'node:timers/promises';
import type proto from '@temporalio/proto';
import {
  createCommands,
  operatorApiRefused,
  type SearchAttributeState,
  searchAttributeState,
  searchAttributeTypes,
} from '../../worker/search-attributes';

type OperatorService = proto.temporal.api.operatorservice.v1.OperatorService;

export interface SetupResult {
  namespace: string;
  /** Registered by this call. */
  registered: string[];
  /** Already there with the right type. */
  present: string[];
  wrongType: SearchAttributeState['wrongType'];
  /** Set when the operator API refused: the error and the commands to run instead. */
  refused?: { error: string; commands: string[] };
}

/** How long setup waits for the server to list what it registered (SQL visibility is not instant). */
const CONFIRM_TIMEOUT_MS = 30_000;

export async function setupNamespace(operator: OperatorService, namespace: string): Promise<SetupResult> {
  const before = await searchAttributeState(operator, namespace);
  const result: SetupResult = {
    namespace,
    registered: [],
    present: before.present,
    wrongType: before.wrongType,
  };
  if (before.missing.length === 0) return result;
  try {
    await operator.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(before.missing.map((name) => [name, searchAttributeTypes[name]!])),
    });
  } catch (error) {
    if (!operatorApiRefused(error)) throw error;
    result.refused = {
      error: (error as Error).message.split('\n')[0] ?? 'refused',
      commands: createCommands(namespace, before.missing),
    };
    return result;
  }
  const deadline = Date.now() + CONFIRM_TIMEOUT_MS;
  for (;;) {
    const after = await searchAttributeState(operator, namespace);
    if (after.missing.length === 0 || Date.now() > deadline) {
      result.registered = before.missing.filter((name) => !after.missing.includes(name));
      if (after.missing.length)
        throw new Error(
          `the server accepted herald's search attributes but still does not list ${after.missing.join(', ')} after ${CONFIRM_TIMEOUT_MS / 1000} s`,
        );
      return result;
    }
    await sleep(500);
  }
}
