import type { AppMode } from '../../../preload/contract';
import { Badge, type BadgeTone } from './Badge';

const MODE_TONE: Readonly<Record<AppMode, BadgeTone>> = {
  setup: 'neutral',
  demo: 'warning',
  connected: 'accent',
  offline: 'neutral',
};

/** 尚未設定 (grey) / 示範模式 (amber) / 已連線 (accent) / 離線 (grey). */
export function ModeBadge({ mode, label, testId }: { mode: AppMode; label: string; testId?: string }) {
  return (
    <Badge tone={MODE_TONE[mode]} data-testid={testId} data-mode={mode}>
      <span className={`badge__dot badge__dot--${mode}`} aria-hidden="true" />
      {label}
    </Badge>
  );
}
