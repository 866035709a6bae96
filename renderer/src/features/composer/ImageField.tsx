import { type DragEvent as ReactDragEvent, useCallback, useRef, useState } from 'react';
import { type DropEvent, type FileRejection, useDropzone } from 'react-dropzone';
import { useTranslation } from 'react-i18next';
import type { DraftImage } from '../../../../preload/contract';
import { Alert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { formatBytes, formatNumber } from '../../i18n/format';
import { firstImageFile } from './files';

/** What the file picker offers; main still decides what it can convert (a HEIC may have no MIME type). */
const ACCEPT = {
  'image/jpeg': ['.jpg', '.jpeg'],
  'image/png': ['.png'],
  'image/webp': ['.webp'],
  'image/gif': ['.gif'],
  'image/heic': ['.heic'],
  'image/heif': ['.heif'],
};

/**
 * The files of a drop, a picker change or a drag in progress. A drop's files are read from `files` first and from
 * `items` otherwise (react-dropzone's default reads only `items`, which a plain DataTransfer-like object lacks).
 */
async function filesFromEvent(event: DropEvent | FileSystemFileHandle[]): Promise<Array<File | DataTransferItem>> {
  if (Array.isArray(event)) return Promise.all(event.map((handle) => handle.getFile()));
  const transfer = 'dataTransfer' in event ? event.dataTransfer : null;
  if (transfer) {
    const items = Array.from(transfer.items ?? []).filter((item) => item.kind === 'file');
    // While dragging, browsers hide the files: the items say whether files are coming.
    if (event.type !== 'drop') return items;
    const files = Array.from(transfer.files ?? []);
    if (files.length > 0) return files;
    return items.map((item) => item.getAsFile()).filter((file): file is File => file !== null);
  }
  const target = 'target' in event ? event.target : null;
  if (target instanceof HTMLInputElement && target.files) return Array.from(target.files);
  return [];
}

export interface ImageFieldProps {
  image: DraftImage | null;
  thumbUrl: string | null;
  busy: boolean;
  /** Already translated: why the last file was refused (the image shown did not change). */
  errorMessage: string | null;
  errorFileName: string | null;
  onFile: (file: File) => void;
  onRemove: () => void;
  onDismissError: () => void;
}

/** One image: drop it, paste it (the composer listens) or pick it; then a thumbnail with Replace and Remove. */
export function ImageField({ image, thumbUrl, busy, errorMessage, errorFileName, onFile, onRemove, onDismissError }: ImageFieldProps) {
  const { t, i18n } = useTranslation();
  const onDrop = useCallback(
    (accepted: File[], rejected: FileRejection[]) => {
      // A file the picker would not offer still goes to main, which says clearly why it refuses it.
      const file = firstImageFile([...accepted, ...rejected.map((rejection) => rejection.file)]);
      if (file) onFile(file);
    },
    [onFile],
  );
  // Whether files are being dragged over the zone, kept here from the events themselves: react-dropzone settles its own
  // isDragActive a microtask after each event, so a drop that follows its dragenter at once left it stuck on.
  const [isDragActive, setDragActive] = useState(false);
  const dragDepth = useRef(0);
  const dragHandlers = {
    onDragEnter: (event: ReactDragEvent<HTMLElement>) => {
      if (!Array.from(event.dataTransfer?.types ?? []).includes('Files')) return;
      dragDepth.current += 1;
      setDragActive(true);
    },
    onDragLeave: () => {
      dragDepth.current = Math.max(0, dragDepth.current - 1);
      if (dragDepth.current === 0) setDragActive(false);
    },
    onDrop: () => {
      dragDepth.current = 0;
      setDragActive(false);
    },
  };
  const { getRootProps, getInputProps, open } = useDropzone({
    onDrop,
    accept: ACCEPT,
    multiple: false,
    noClick: true,
    noKeyboard: true,
    noPaste: true,
    useFsAccessApi: false,
    getFilesFromEvent: filesFromEvent,
  });
  const n = (value: number) => formatNumber(value, i18n.language);
  const classes = ['image-field', isDragActive ? 'image-field--drag' : '', image ? 'image-field--filled' : '', busy ? 'image-field--busy' : '']
    .filter(Boolean)
    .join(' ');

  return (
    <section className="card composer-card" aria-labelledby="composer-image-title">
      <div className="composer-card__head">
        <h3 className="composer-card__title" id="composer-image-title">
          <Icon name="image" size={18} />
          {t('composer.image.title')}
        </h3>
      </div>
      {errorMessage ? (
        <div className="composer-card__alert" data-testid="image-error">
          <Alert
            {...(errorFileName ? { title: t('composer.image.refused', { name: errorFileName }) } : {})}
            message={errorMessage}
            onDismiss={onDismissError}
            dismissLabel={t('errors.dismiss')}
          />
        </div>
      ) : null}
      <div {...getRootProps({ className: classes, ...dragHandlers })} data-testid="image-drop">
        <input {...getInputProps()} data-testid="image-input" aria-label={t('composer.image.inputLabel')} />
        {image ? (
          <div className="image-field__filled">
            <div className="image-field__thumb-wrap">
              {thumbUrl ? <img className="image-field__thumb" data-testid="image-thumb" src={thumbUrl} alt={t('composer.image.thumbAlt')} /> : null}
            </div>
            <div className="image-field__meta">
              <span className="image-field__name" data-user-content title={image.name}>
                {image.name}
              </span>
              <span className="image-field__size" data-testid="image-size">
                {t('composer.image.size', {
                  width: n(image.image.width),
                  height: n(image.image.height),
                  bytes: formatBytes(image.image.source.bytes, i18n.language),
                })}
              </span>
              <div className="image-field__actions">
                <Button size="sm" icon="upload" onClick={open} disabled={busy} data-testid="image-replace">
                  {t('composer.image.replace')}
                </Button>
                <Button size="sm" variant="ghost" icon="trash" onClick={onRemove} disabled={busy} data-testid="image-remove">
                  {t('composer.image.remove')}
                </Button>
              </div>
            </div>
          </div>
        ) : (
          <div className="image-field__empty">
            <span className="image-field__icon">
              <Icon name="image" size={26} />
            </span>
            <strong className="image-field__prompt">{t('composer.image.drop')}</strong>
            <span className="image-field__formats">{t('composer.image.formats')}</span>
            <Button size="sm" icon="upload" onClick={open} disabled={busy} data-testid="image-choose">
              {t('composer.image.choose')}
            </Button>
          </div>
        )}
        {busy ? (
          <div className="image-field__overlay" role="status" data-testid="image-busy">
            <span className="image-field__progress" aria-hidden="true" />
            <span className="inline-status">
              <span className="mini-spinner" aria-hidden="true" />
              {t('composer.image.working')}
            </span>
          </div>
        ) : isDragActive ? (
          <div className="image-field__overlay image-field__overlay--drop" aria-hidden="true">
            <Icon name="upload" size={22} />
            {t('composer.image.dropActive')}
          </div>
        ) : null}
      </div>
    </section>
  );
}
