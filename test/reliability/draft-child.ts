/**
 * The child of draft-kill.test.ts: the app's core composing a draft the way the renderer's autosave does — an image,
 * a template part, a selection, then one save per burst of typing — printing one JSON line after each acknowledged
 * save. The parent SIGKILLs it at a chosen line; nothing here flushes or closes on purpose.
 */
import sharp from 'sharp';
import type { ComposedImage, DraftHead, Result } from '../../preload/contract';
import { createApp } from '../../main/app';
import { silentLogger } from '../../main/log';
import { ManualNetworkStatus } from '../../main/network';
import { MemoryVault } from '../../main/vault';

function value<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(`${result.error.code}: ${result.error.message}`);
  return result.value as T;
}

function say(line: object): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

async function main(): Promise<void> {
  const [dataDir, mode] = process.argv.slice(2);
  if (dataDir === undefined || (mode !== 'typing' && mode !== 'images')) throw new Error('usage: draft-child.ts <dataDir> typing|images');
  const app = createApp({ dataDir, version: '0.0.0-test', transport: 'preview', logger: silentLogger, vault: new MemoryVault(), network: new ManualNetworkStatus(true) });
  await app.ready;

  const image = async (index: number): Promise<ComposedImage> => {
    const data = await sharp({ create: { width: 600 + index, height: 400, channels: 3, background: { r: index % 255, g: 120, b: 200 } } })
      .jpeg()
      .toBuffer();
    return value<ComposedImage>(await app.dispatch('compose.importImage', { name: `photo-${index}.jpg`, data: data.toString('base64') }));
  };

  const first = await image(0);
  const draft = value<DraftHead>(
    await app.dispatch('drafts.save', {
      text: '',
      image: { sha256: first.sha256, name: 'photo-0.jpg' },
      selection: ['evt-1', 'evt-2', 'evt-3'],
      whatsapp: {
        numbers: [
          {
            phoneNumberId: '100000000000001',
            template: { name: 'new_arrival', language: 'zh_TW' },
            params: { '1': { source: 'customer_name', fallback: '貴賓' }, '2': { source: 'fixed', text: '秋季針織外套' } },
          },
        ],
      },
    }),
  );
  say({ kind: 'ready', id: draft.id, sha256: first.sha256 });

  if (mode === 'typing') {
    let text = '';
    for (let save = 1; ; save += 1) {
      text += `第 ${save} 段文字。`;
      value(await app.dispatch('drafts.save', { id: draft.id, text }));
      // Only the number: the text is rebuilt by the parent (long lines would fill the pipe and stall this process).
      say({ kind: 'saved', save });
    }
  }
  // images: import one image after another (each leaves files, then a row), attaching each to the draft.
  for (let index = 1; ; index += 1) {
    const next = await image(index);
    value(await app.dispatch('drafts.save', { id: draft.id, image: { sha256: next.sha256, name: `photo-${index}.jpg` } }));
    say({ kind: 'image', index, sha256: next.sha256 });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
