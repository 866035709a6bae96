import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionInfo } from '../../../../preload/contract';
import { Alert } from '../../components/Alert';
import { Badge } from '../../components/Badge';
import { Button } from '../../components/Button';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { Icon } from '../../components/Icon';
import { ERROR_MESSAGE_KEYS } from '../../i18n';
import { useAppStore } from '../../store';
import { ChannelBadge } from '../events/ChannelBadge';

/** Who is signed in, to which workspace, with which channels (a token's last characters, never more); 登出. */
export function SessionCard({ session }: { session: SessionInfo }) {
  const { t } = useTranslation();
  const [confirming, setConfirming] = useState(false);
  const signOut = useAppStore((state) => state.signOut);
  const pending = useAppStore((state) => state.signOutPending);
  const error = useAppStore((state) => state.sessionError);
  const setSection = useAppStore((state) => state.setSection);
  const { user, workspace, store, channels } = session;

  return (
    <div className="session" data-testid="session-card">
      <div className="session__head">
        <span className="session__avatar" aria-hidden="true" data-user-content>
          {Array.from(user?.name ?? session.account ?? '?')[0]}
        </span>
        <div className="session__who">
          <span className="session__name" data-user-content>
            {user?.name ?? session.account}
          </span>
          <span className="session__status">
            <span className="dot dot--online" aria-hidden="true" />
            {t('session.signedInAs')}
          </span>
        </div>
      </div>
      <dl className="facts">
        <dt>{t('session.fields.account')}</dt>
        <dd>
          <code className="path" data-user-content data-testid="session-account">
            {session.account}
          </code>
        </dd>
        <dt>{t('session.fields.role')}</dt>
        <dd data-testid="session-role">{user ? t(`workspace.roles.${user.role}`) : null}</dd>
        <dt>{t('session.fields.workspace')}</dt>
        <dd data-user-content>{workspace?.name}</dd>
        <dt>{t('session.fields.plan')}</dt>
        <dd data-testid="session-plan">{workspace ? t(`workspace.plans.${workspace.plan}`) : null}</dd>
        <dt>{t('session.fields.store')}</dt>
        {store ? <dd data-user-content>{store.name}</dd> : <dd className="muted">{t('session.noStore')}</dd>}
        <dt>{t('session.fields.broadcast')}</dt>
        <dd data-testid="session-can-broadcast">
          {session.canBroadcast ? (
            <span className="yes">
              <Icon name="check" size={16} />
              {t('session.canBroadcast')}
            </span>
          ) : (
            <span className="muted">
              {t(session.broadcastBlock === 'plan' ? 'events.blocked.plan' : 'events.blocked.role')}
            </span>
          )}
        </dd>
        <dt>{t('session.fields.channels')}</dt>
        <dd>
          {channels.length === 0 ? (
            <span className="muted">{t('session.noChannels')}</span>
          ) : (
            <ul className="channel-list" data-testid="session-channels">
              {channels.map((channel) => (
                <li key={`${channel.channel}:${channel.id}`} className="channel-list__item">
                  <ChannelBadge channel={channel.channel} />
                  <span className="channel-list__name" data-user-content>
                    {channel.name}
                    {channel.detail ? <span className="muted"> · {channel.detail}</span> : null}
                  </span>
                  <Badge tone="neutral" className="channel-list__token">
                    <Icon name="lock" size={12} />
                    {t('session.token', { hint: channel.tokenHint })}
                  </Badge>
                </li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
      {error ? <Alert message={t(ERROR_MESSAGE_KEYS[error])} /> : null}
      <div className="session__actions">
        <Button icon="conversations" onClick={() => setSection('events')}>
          {t('session.openEvents')}
        </Button>
        <Button icon="logout" onClick={() => setConfirming(true)} data-testid="signout">
          {t('session.signOut')}
        </Button>
      </div>
      {confirming ? (
        <ConfirmDialog
          title={t('session.signOutTitle')}
          body={t('session.signOutBody')}
          confirmLabel={t('session.signOut')}
          cancelLabel={t('session.cancel')}
          confirmIcon="logout"
          busy={pending}
          confirmTestId="signout-confirm"
          onCancel={() => setConfirming(false)}
          onConfirm={() => {
            void signOut().then(() => setConfirming(false));
          }}
        />
      ) : null}
    </div>
  );
}
