import { Trans, useTranslation } from 'react-i18next';
import type { DemoAccount, WorkspaceInfo } from '../../../../preload/contract';
import { Alert } from '../../components/Alert';
import { Badge, type BadgeTone } from '../../components/Badge';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { ERROR_MESSAGE_KEYS } from '../../i18n';
import { useAppStore } from '../../store';
import { SessionCard } from '../session/SessionCard';
import { SignInForm } from '../session/SignInForm';

const KIND_TONE: Readonly<Record<WorkspaceInfo['kind'], BadgeTone>> = {
  none: 'neutral',
  demo: 'warning',
  remote: 'accent',
};

/** The seed's rule: only the OMO plan, and only 銷售經理 and 銷售人員, may broadcast (main enforces it too). */
function mayBroadcast(account: DemoAccount): boolean {
  return account.plan === 'omo' && (account.role === 'sales_manager' || account.role === 'sales_person');
}

function InboxUrl({ workspace }: { workspace: WorkspaceInfo }) {
  const { t } = useTranslation();
  if (workspace.inboxUrl) {
    return (
      <code className="path" data-user-content>
        {workspace.inboxUrl}
      </code>
    );
  }
  if (workspace.starting) {
    return (
      <span className="inline-status">
        <span className="mini-spinner" aria-hidden="true" />
        {t('workspace.starting')}
      </span>
    );
  }
  return <span className="muted">{t('workspace.notRunning')}</span>;
}

/** The public demo password (the sandbox's, listed in 設定 for everyone). */
const DEMO_PASSWORD = 'demo';

function DemoAccounts({ accounts }: { accounts: readonly DemoAccount[] }) {
  const { t } = useTranslation();
  const signIn = useAppStore((state) => state.signIn);
  const pending = useAppStore((state) => state.signInState.pending);
  const current = useAppStore((state) => (state.session?.signedIn ? state.session.account : null));
  return (
    <div className="card__section">
      <h3 className="card__subtitle">{t('workspace.accountsTitle')}</h3>
      <div className="table-wrap">
        <table className="table" data-testid="demo-accounts">
          <caption className="visually-hidden">{t('workspace.accountsCaption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('workspace.columns.account')}</th>
              <th scope="col">{t('workspace.columns.name')}</th>
              <th scope="col">{t('workspace.columns.role')}</th>
              <th scope="col">{t('workspace.columns.plan')}</th>
              <th scope="col">{t('workspace.columns.store')}</th>
              <th scope="col">{t('workspace.columns.canBroadcast')}</th>
              <th scope="col">
                <span className="visually-hidden">{t('workspace.columns.signIn')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {accounts.map((account) => {
              const allowed = mayBroadcast(account);
              return (
                <tr key={account.account} data-testid="demo-account" data-role={account.role} data-plan={account.plan}>
                  <td>
                    <code className="table__code" data-user-content>
                      {account.account}
                    </code>
                  </td>
                  <td data-user-content>{account.name}</td>
                  <td>{t(`workspace.roles.${account.role}`)}</td>
                  <td>{t(`workspace.plans.${account.plan}`)}</td>
                  {account.store === null ? (
                    <td className="muted">{t('workspace.noStore')}</td>
                  ) : (
                    <td data-user-content>{account.store}</td>
                  )}
                  <td>
                    {allowed ? (
                      <span className="yes">
                        <Icon name="check" size={16} />
                        {t('workspace.canBroadcastYes')}
                      </span>
                    ) : (
                      <span className="muted">{t('workspace.canBroadcastNo')}</span>
                    )}
                  </td>
                  <td className="table__action">
                    {current === account.account ? (
                      <Badge tone="accent" data-testid="demo-current">
                        <span className="badge__dot" aria-hidden="true" />
                        {t('session.current')}
                      </Badge>
                    ) : (
                      <Button
                        size="sm"
                        icon="login"
                        disabled={pending}
                        data-testid={`demo-signin-${account.account}`}
                        onClick={() => void signIn({ account: account.account, password: DEMO_PASSWORD })}
                      >
                        {t('session.demoSignIn')}
                      </Button>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <ul className="notes">
        <li>
          <Trans i18nKey="workspace.password" components={{ code: <code className="path" /> }} />
        </li>
        <li>{t('workspace.broadcastRule')}</li>
        <li>{t('workspace.signInNext')}</li>
      </ul>
    </div>
  );
}

/** Signed in: the session; otherwise the sign-in form (with the expiry banner when the token lapsed). */
function SessionPanel({ workspace }: { workspace: WorkspaceInfo }) {
  const { t } = useTranslation();
  const session = useAppStore((state) => state.session);
  if (session?.signedIn) {
    return (
      <div className="card__section">
        <SessionCard session={session} />
      </div>
    );
  }
  const demo = workspace.kind === 'demo';
  return (
    <div className="card__section" data-testid="signin-panel">
      <h3 className="card__subtitle">{t('session.formTitle')}</h3>
      {session?.expired ? (
        <div className="banner banner--warning" role="alert" data-testid="session-expired">
          <Icon name="alert" size={18} />
          <div>
            <strong>{t('session.expiredTitle')}</strong>
            <p>{t('session.expiredBody')}</p>
          </div>
        </div>
      ) : null}
      <SignInForm
        inboxUrl={!demo}
        allowOtherWorkspace={demo}
        initialInboxUrl={demo ? null : (session?.inboxUrl ?? workspace.inboxUrl)}
        initialAccount={session?.account ?? null}
        intro={demo ? t('session.demoFormIntro') : t('session.formIntro')}
        autoFocus={session?.expired ?? false}
      />
    </div>
  );
}

/** 設定 › 工作區: which workspace the app uses, where its Inbox is, the sign-in, and (in the demo) the logins to try. */
export function WorkspaceCard() {
  const { t } = useTranslation();
  const workspace = useAppStore((state) => state.workspace);
  const error = useAppStore((state) => state.workspaceError);
  const signedIn = useAppStore((state) => state.session?.signedIn ?? false);

  return (
    <div className="card" data-testid="workspace-card" data-kind={workspace?.kind}>
      <h2 className="card__title">{t('workspace.title')}</h2>
      {workspace ? (
        <>
          <dl className="facts">
            <dt>{t('workspace.kind')}</dt>
            <dd data-testid="workspace-kind">
              <Badge tone={KIND_TONE[workspace.kind]}>{t(`workspace.kinds.${workspace.kind}`)}</Badge>
            </dd>
            {workspace.kind === 'none' ? null : (
              <>
                <dt>{t('workspace.inboxUrl')}</dt>
                <dd data-testid="workspace-inbox-url">
                  <InboxUrl workspace={workspace} />
                </dd>
              </>
            )}
          </dl>
          {workspace.kind === 'none' ? <p className="card__text card__gap">{t('workspace.noneNote')}</p> : null}
          {workspace.kind === 'demo' ? (
            <p className="card__text card__gap">{t('workspace.demoNote')}</p>
          ) : null}
          {signedIn ? <SessionPanel workspace={workspace} /> : null}
          {workspace.kind === 'demo' && workspace.demoAccounts.length > 0 ? (
            <DemoAccounts accounts={workspace.demoAccounts} />
          ) : null}
          {signedIn ? null : <SessionPanel workspace={workspace} />}
        </>
      ) : error ? (
        <Alert title={t('workspace.loadFailed')} message={t(ERROR_MESSAGE_KEYS[error])} />
      ) : null}
    </div>
  );
}
