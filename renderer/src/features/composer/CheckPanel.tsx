import { useTranslation } from 'react-i18next';
import type { ComposeCheck, ComposeProblem } from '../../../../preload/contract';
import { Button } from '../../components/Button';
import { Icon } from '../../components/Icon';
import { problemMessage } from './labels';
import { problemKey } from './model';

interface ProblemRow {
  /** Which part the problem is about: the whole draft, LINE, or one WhatsApp number. */
  part: { channel: null } | { channel: 'line' } | { channel: 'whatsapp'; id: string; name: string };
  problem: ComposeProblem;
}

function problemRows(check: ComposeCheck): ProblemRow[] {
  return [
    ...check.problems.map((problem): ProblemRow => ({ part: { channel: null }, problem })),
    ...check.line.problems.map((problem): ProblemRow => ({ part: { channel: 'line' }, problem })),
    ...check.whatsapp.flatMap((number) =>
      number.problems.map((problem): ProblemRow => ({ part: { channel: 'whatsapp', id: number.phoneNumberId, name: number.name }, problem })),
    ),
  ];
}

function partKey(part: ProblemRow['part']): string {
  return part.channel === 'whatsapp' ? `whatsapp:${part.id}` : String(part.channel);
}

export interface CheckPanelProps {
  check: ComposeCheck | null;
  /** The draft does not exist yet (nothing to check until the first content). */
  pending: boolean;
  /** Edits are being saved, or the check of the last save has not answered. */
  checking: boolean;
  /** Already translated. */
  errorMessage: string | null;
  /** Already translated: why 發送 is not available (null: it is). */
  sendBlockedReason: string | null;
  /** 發送 was clicked and its confirmation is being made. */
  sendStarting: boolean;
  onSend: () => void;
}

/** main's verdict on the draft: 可發送, or 尚需： and each problem in words; then 發送 (or why not yet). */
export function CheckPanel({ check, pending, checking, errorMessage, sendBlockedReason, sendStarting, onSend }: CheckPanelProps) {
  const { t } = useTranslation();
  const ready = !pending && check !== null && check.ready;
  const rows = check ? problemRows(check) : [];

  let head;
  if (pending) head = <span className="verdict__state verdict__state--pending">{t('composer.check.pending')}</span>;
  else if (ready)
    head = (
      <span className="verdict__state verdict__state--ready">
        <Icon name="check" size={18} />
        {t('composer.check.ready')}
      </span>
    );
  else if (check)
    head = (
      <span className="verdict__state verdict__state--blocked">
        <Icon name="alert" size={18} />
        {t('composer.check.notReady')}
      </span>
    );
  else head = <span className="verdict__state verdict__state--pending">{t('composer.check.checking')}</span>;

  return (
    <section
      className={`card verdict${ready ? ' verdict--ready' : ''}`}
      data-testid="check-status"
      data-ready={ready ? 'true' : 'false'}
      aria-busy={checking}
      aria-labelledby="composer-check-title"
    >
      <div className="verdict__head">
        <h3 className="verdict__title" id="composer-check-title">
          {t('composer.check.title')}
        </h3>
        {checking && !pending ? <span className="mini-spinner" aria-label={t('composer.check.checking')} role="status" /> : null}
      </div>
      <div className="verdict__status" aria-live="polite">
        {head}
      </div>
      {errorMessage ? <p className="verdict__error">{errorMessage}</p> : null}
      {!pending && rows.length > 0 ? (
        <ul className="verdict__problems" data-testid="problems">
          {rows.map(({ part, problem }) => (
            <li
              key={`${partKey(part)}:${problemKey(problem)}`}
              className="verdict__problem"
              data-testid="problem"
              data-code={problem.code}
              data-param={problem.param ?? undefined}
            >
              {part.channel === 'line' ? <span className="verdict__part">{t('composer.check.line')}</span> : null}
              {part.channel === 'whatsapp' ? (
                <span className="verdict__part">
                  WhatsApp <span data-user-content>{part.name}</span>
                </span>
              ) : null}
              <span>{problemMessage(t, problem)}</span>
            </li>
          ))}
        </ul>
      ) : null}
      <div className="verdict__send">
        <Button
          variant="primary"
          icon="send"
          onClick={onSend}
          disabled={sendBlockedReason !== null || sendStarting}
          aria-describedby={sendBlockedReason !== null ? 'composer-send-blocked' : undefined}
          data-testid="send"
        >
          {t('broadcast.send')}
        </Button>
        {sendBlockedReason !== null ? (
          <p className="verdict__next" id="composer-send-blocked" data-testid="send-blocked-reason">
            {sendBlockedReason}
          </p>
        ) : null}
      </div>
    </section>
  );
}
