import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Alert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { ERROR_MESSAGE_KEYS } from '../../i18n';
import { useAppStore } from '../../store';

/**
 * 收件匣網址, 帳號, 密碼 → session.signIn. In the demo workspace the Inbox URL is the sandbox's own and the field is
 * hidden (a link shows it, to connect a workspace of one's own instead). Errors are translated by code.
 */
export function SignInForm({
  inboxUrl: needsInboxUrl,
  allowOtherWorkspace = false,
  initialInboxUrl,
  initialAccount,
  intro,
  autoFocus = false,
}: {
  /** Ask for the Inbox URL (a workspace of one's own); false in the demo. */
  inboxUrl: boolean;
  /** In the demo: offer a link that shows the Inbox URL field. */
  allowOtherWorkspace?: boolean;
  initialInboxUrl?: string | null;
  initialAccount?: string | null;
  intro?: string;
  autoFocus?: boolean;
}) {
  const { t } = useTranslation();
  const ids = useId();
  const { pending, error } = useAppStore((state) => state.signInState);
  const signIn = useAppStore((state) => state.signIn);
  const clearSignInError = useAppStore((state) => state.clearSignInError);
  const [showUrl, setShowUrl] = useState(needsInboxUrl);
  const [url, setUrl] = useState(initialInboxUrl ?? '');
  const [account, setAccount] = useState(initialAccount ?? '');
  const [password, setPassword] = useState('');
  const urlRef = useRef<HTMLInputElement>(null);
  const accountRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    setShowUrl(needsInboxUrl);
  }, [needsInboxUrl]);

  useEffect(() => {
    if (initialAccount) setAccount((current) => current || initialAccount);
  }, [initialAccount]);

  useEffect(() => {
    if (!autoFocus) return;
    if (showUrl && !url) urlRef.current?.focus();
    else if (!account) accountRef.current?.focus();
    else passwordRef.current?.focus();
    // Only when the form appears: later renders must not move the cursor.
  }, [autoFocus]);

  // Forget a previous form's error when this one appears.
  useEffect(() => {
    clearSignInError();
  }, [clearSignInError]);

  // A failed sign-in puts the cursor where the fix goes.
  useEffect(() => {
    if (error === 'invalid_credentials') passwordRef.current?.select();
    else if (error === 'invalid_inbox_url' || error === 'bad_server_response') urlRef.current?.focus();
  }, [error]);

  const complete = account.trim() !== '' && password !== '' && (!showUrl || url.trim() !== '');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!complete || pending) return;
    void signIn({ ...(showUrl ? { inboxUrl: url.trim() } : {}), account: account.trim(), password }).then((ok) => {
      if (ok) setPassword('');
    });
  };

  const errorId = `${ids}-error`;
  return (
    <form className="signin" data-testid="signin-form" onSubmit={submit} noValidate aria-busy={pending}>
      {intro ? <p className="signin__intro">{intro}</p> : null}
      {showUrl ? (
        <div className="field">
          <label className="field__label" htmlFor={`${ids}-url`}>
            {t('session.inboxUrl')}
          </label>
          <input
            ref={urlRef}
            id={`${ids}-url`}
            className="input"
            type="url"
            inputMode="url"
            autoComplete="url"
            spellCheck={false}
            placeholder="https://"
            required
            data-testid="signin-inbox-url"
            value={url}
            aria-describedby={`${ids}-url-hint`}
            aria-invalid={error === 'invalid_inbox_url' || error === 'bad_server_response' ? true : undefined}
            onChange={(event) => setUrl(event.currentTarget.value)}
          />
          <p id={`${ids}-url-hint`} className="field__hint">
            {t('session.inboxUrlHint')}
          </p>
        </div>
      ) : null}
      <div className="signin__row">
        <div className="field">
          <label className="field__label" htmlFor={`${ids}-account`}>
            {t('session.account')}
          </label>
          <input
            ref={accountRef}
            id={`${ids}-account`}
            className="input"
            type="text"
            autoComplete="username"
            autoCapitalize="off"
            spellCheck={false}
            required
            data-testid="signin-account"
            value={account}
            aria-invalid={error === 'invalid_credentials' ? true : undefined}
            onChange={(event) => setAccount(event.currentTarget.value)}
          />
        </div>
        <div className="field">
          <label className="field__label" htmlFor={`${ids}-password`}>
            {t('session.password')}
          </label>
          <input
            ref={passwordRef}
            id={`${ids}-password`}
            className="input"
            type="password"
            autoComplete="current-password"
            required
            data-testid="signin-password"
            value={password}
            aria-invalid={error === 'invalid_credentials' ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            onChange={(event) => setPassword(event.currentTarget.value)}
          />
        </div>
      </div>
      {error ? (
        <div id={errorId}>
          <Alert testId="signin-error" message={t(ERROR_MESSAGE_KEYS[error])} />
        </div>
      ) : null}
      <div className="signin__actions">
        {allowOtherWorkspace ? (
          <button
            type="button"
            className="link-btn"
            data-testid="signin-toggle-url"
            onClick={() => {
              setShowUrl((shown) => !shown);
              clearSignInError();
            }}
          >
            {showUrl ? t('session.demoWorkspace') : t('session.otherWorkspace')}
          </button>
        ) : (
          <span />
        )}
        <Button type="submit" variant="primary" icon="login" disabled={!complete || pending} data-testid="signin-submit">
          {pending ? t('session.submitting') : t('session.submit')}
        </Button>
      </div>
    </form>
  );
}
