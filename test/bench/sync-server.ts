/**
 * The Inbox sandbox in a process of its own for the sync benchmark (so serving pages does not share the event loop
 * with the sync it measures). argv[2]: events to generate. Prints one JSON line: { origin, visible } where visible is
 * how many events admin@demo (the whole ws-omo workspace) sees.
 */
import { startSandbox } from '../../main/sandbox/server';
import { OMO_WORKSPACE_ID } from '../../main/sandbox/seed';

const events = Number(process.argv[2] ?? '108000');
const sandbox = await startSandbox({ events, seed: 20_260_104 });
const visible = sandbox.context.world.events.filter((event) => event.workspaceId === OMO_WORKSPACE_ID).length;
process.stdout.write(`${JSON.stringify({ origin: sandbox.origin, visible })}\n`);
process.on('SIGTERM', () => void sandbox.close().finally(() => process.exit(0)));
