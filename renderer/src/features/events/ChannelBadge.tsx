import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Channel } from '../../../../preload/contract';

/** LINE (green) or WhatsApp (teal), with the brand's colour as a dot; the name is the same in both languages. */
export const ChannelBadge = memo(function ChannelBadge({ channel }: { channel: Channel }) {
  const { t } = useTranslation();
  return (
    <span className={`chan chan--${channel}`} data-channel={channel}>
      <span className="chan__dot" aria-hidden="true" />
      {t(`events.channels.${channel}`)}
    </span>
  );
});
