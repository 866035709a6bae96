import { memo, useState } from 'react';
import { avatarUrl } from '../../bridge';
import { initialOf } from './model';

const TONES = 6;

function toneOf(id: string): number {
  let hash = 0;
  for (let i = 0; i < id.length; i += 1) hash = (hash * 31 + id.charCodeAt(i)) | 0;
  return Math.abs(hash) % TONES;
}

/**
 * The customer's avatar as main serves it (cached, so it shows offline too), loaded lazily; the name's first letter
 * when there is none or it fails to load.
 */
export const Avatar = memo(function Avatar({
  id,
  name,
  hasImage,
  load = true,
}: {
  id: string;
  name: string;
  hasImage: boolean;
  /** False: show the initial for now (the grid while it flings past), request nothing. */
  load?: boolean;
}) {
  // Which event's image failed: the element is reused for other events while the grid scrolls, and the failure
  // belongs to one image, not to the element.
  const [failedId, setFailedId] = useState<string | null>(null);
  const src = hasImage && load && failedId !== id ? avatarUrl(id) : '';
  return (
    <span className={`avatar avatar--tone${toneOf(id)}`} aria-hidden="true">
      {src ? (
        <img className="avatar__img" src={src} alt="" width={34} height={34} loading="lazy" decoding="async" draggable={false} onError={() => setFailedId(id)} />
      ) : (
        <span className="avatar__initial" data-user-content>{initialOf(name)}</span>
      )}
    </span>
  );
});
