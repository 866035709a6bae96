/**
 * The sandbox in a process of its own for the send-engine benchmark (so LINE and WhatsApp answering does not share
 * the event loop with the engine it measures, as the real services do not). The seeded ws-omo world plus, on its
 * first LINE channel, `argv[2]` synthetic LINE friends and, on its first WhatsApp number, `argv[3]` contacts, with the
 * ids benchUserId / benchWaId give. Prints one JSON line: { origin, lineChannelId, phoneNumberId }.
 */
import { fileURLToPath } from 'node:url';
import { OMO_WORKSPACE_ID } from '../../main/sandbox/seed';
import { startSandbox } from '../../main/sandbox/server';

export function benchUserId(index: number): string {
  return `U${(0xb0000000 + index).toString(16).padStart(32, '0')}`;
}

export function benchWaId(index: number): string {
  return `8869${String(20_000_000 + index)}`;
}

async function main(): Promise<void> {
  const lineUsers = Number(process.argv[2] ?? '100000');
  const contacts = Number(process.argv[3] ?? '2000');
  const sandbox = await startSandbox({ events: 2000, seed: 20_260_106 });
  const { world } = sandbox.context;
  const channel = world.lineChannels.find((candidate) => candidate.workspaceId === OMO_WORKSPACE_ID);
  const number = world.whatsappNumbers.find((candidate) => candidate.workspaceId === OMO_WORKSPACE_ID);
  if (!channel || !number) throw new Error('the seeded world has no ws-omo LINE channel or WhatsApp number');
  for (let index = 0; index < lineUsers; index += 1) {
    const userId = benchUserId(index);
    world.lineUsers.set(userId, { userId, channelId: channel.id, displayName: `LINE 客人 ${index}`, pictureUrl: null, language: 'zh-TW' });
  }
  for (let index = 0; index < contacts; index += 1) {
    const waId = benchWaId(index);
    world.whatsappContacts.set(waId, { waId, phoneNumberId: number.phoneNumberId, name: `客人 ${index}`, lastInboundAt: null, undeliverable: false });
  }
  process.stdout.write(`${JSON.stringify({ origin: sandbox.origin, lineChannelId: channel.id, phoneNumberId: number.phoneNumberId })}\n`);
  process.on('SIGTERM', () => void sandbox.close().finally(() => process.exit(0)));
}

// Imported by outbox.bench.ts for the id formulas; started as a script by it.
if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
