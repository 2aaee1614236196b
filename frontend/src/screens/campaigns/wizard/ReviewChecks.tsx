import type { ReactNode } from 'react';
import { Link } from 'wouter';
import type { CampaignReview, ReviewCheck } from '../../../api/campaigns.ts';
import { asSentence } from '../../../api/errors.ts';
import { useCan } from '../../../auth/viewer.tsx';
import { Icon } from '../../../components/Icon.tsx';
import { Badge, Button, Card, CardBody, CardHeader } from '../../../components/ui/index.ts';
import { cn } from '../../../lib/cn.ts';
import { formatNumber } from '../../../lib/format.ts';
import type { Step } from './steps.ts';

const CHECK_LABELS: Record<string, string> = {
  status: 'Status',
  audience: 'Audience',
  template: 'Template',
  sender: 'Sender',
  billing: 'Billing',
  quota: 'Sending quota',
};

const fixLink = 'text-sm font-medium text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-600';

/** What to do about a failed check: a step of the wizard, or the page that fixes it. */
function Fix({ check, review, templateId, onGo }: { check: ReviewCheck; review: CampaignReview; templateId: number | null; onGo: (step: Step) => void }) {
  const canBilling = useCan()('billing:read');
  const step = (target: Step, label: string) => (
    <Button variant="ghost" size="sm" className="-ml-2.5 text-indigo-700" onClick={() => onGo(target)}>
      {label}
    </Button>
  );
  switch (check.name) {
    case 'audience':
      return step('audience', 'Change the audience');
    case 'template':
      return check.code === 'template_invalid' && templateId !== null ? (
        <Link href={`~/templates/${templateId}`} className={fixLink}>
          Fix the template
        </Link>
      ) : (
        step('template', 'Choose a template')
      );
    case 'sender':
      return check.code === 'sender_domain_unverified' ? (
        <Link href="~/domains" className={fixLink}>
          {review.sender.domain ? `Verify ${review.sender.domain} under Domains` : 'Verify your domain under Domains'}
        </Link>
      ) : (
        step('settings', 'Set the sender')
      );
    case 'billing':
    case 'quota':
      return canBilling ? (
        <Link href="~/billing" className={fixLink}>
          {check.name === 'quota' ? 'See plans and usage' : 'Open billing'}
        </Link>
      ) : (
        <span className="text-sm text-slate-500">An owner or admin can fix this under Billing.</span>
      );
    default:
      return null;
  }
}

export function CheckList({ review, templateId, onGo }: { review: CampaignReview; templateId: number | null; onGo: (step: Step) => void }) {
  return (
    <Card aria-labelledby="checks-title">
      <CardHeader titleId="checks-title" title="Checks" description="The checks a send runs, done now without sending anything." />
      <ul className="divide-y divide-slate-100" aria-label="Checks">
        {review.checks.map((check) => (
          <li key={check.name} className="flex gap-3 px-5 py-3.5 sm:px-6" data-check={check.name} data-ok={check.ok}>
            <span
              className={cn(
                'mt-0.5 flex size-6 shrink-0 items-center justify-center rounded-full',
                check.ok ? 'bg-emerald-100 text-emerald-700' : 'bg-rose-100 text-rose-700',
              )}
              aria-hidden="true"
            >
              <Icon name={check.ok ? 'check' : 'close'} className="size-4" />
            </span>
            <div className="min-w-0 flex-1">
              <p className="text-sm font-medium text-slate-900">
                {CHECK_LABELS[check.name] ?? check.name}
                <span className="sr-only">{check.ok ? ': passed' : ': needs attention'}</span>
              </p>
              <p className={cn('text-sm', check.ok ? 'text-slate-600' : 'text-rose-700')}>{asSentence(check.message)}</p>
              {!check.ok && (
                <div className="mt-1">
                  <Fix check={check} review={review} templateId={templateId} onGo={onGo} />
                </div>
              )}
            </div>
          </li>
        ))}
      </ul>
    </Card>
  );
}

function Stat({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="mt-0.5 text-sm font-medium text-slate-900 tabular-nums">{children}</dd>
    </div>
  );
}

function SenderBadge({ sender }: { sender: CampaignReview['sender'] }) {
  if (sender.verified) return <Badge tone="success">Verified domain</Badge>;
  // An unverified domain passes the gate only where the installation allows it.
  return sender.allowed ? <Badge tone="warning">Unverified, allowed here</Badge> : <Badge tone="danger">Unverified domain</Badge>;
}

/** How many receive it, what it uses of the period's quota, and the sender's domain. */
export function ReviewFacts({ review }: { review: CampaignReview }) {
  const { limit, used, remaining } = review.quota;
  const after = remaining === null ? null : remaining - review.recipients;
  const percent = limit ? Math.min(100, Math.round(((used + review.recipients) / limit) * 100)) : 0;
  return (
    <Card aria-labelledby="facts-title">
      <CardHeader titleId="facts-title" title="Recipients" />
      <CardBody className="space-y-5">
        <p>
          <span className="text-3xl font-semibold text-slate-900 tabular-nums" data-testid="review-recipients">
            {formatNumber(review.recipients)}
          </span>{' '}
          <span className="text-sm text-slate-600">{review.recipients === 1 ? 'person receives it' : 'people receive it'}</span>
        </p>
        <div>
          <p className="text-sm font-medium text-slate-900">Emails this billing period</p>
          {limit === null ? (
            <p className="mt-1 text-sm text-slate-600">Your plan has no monthly limit. {formatNumber(used)} sent so far.</p>
          ) : (
            <>
              <div
                role="meter"
                aria-label="Emails this period, with this campaign"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={percent}
                aria-valuetext={`${formatNumber(used + review.recipients)} of ${formatNumber(limit)}`}
                className="mt-2 h-2.5 overflow-hidden rounded-full bg-slate-100"
              >
                <div className={cn('h-full rounded-full', after !== null && after < 0 ? 'bg-rose-600' : 'bg-indigo-500')} style={{ width: `${percent}%` }} />
              </div>
              <dl className="mt-3 grid grid-cols-3 gap-3">
                <Stat label="Used">{formatNumber(used)}</Stat>
                <Stat label="Left">{remaining === null ? 'Unlimited' : formatNumber(remaining)}</Stat>
                <Stat label="Left after">{after === null ? '—' : formatNumber(Math.max(after, 0))}</Stat>
              </dl>
            </>
          )}
        </div>
        <div>
          <p className="text-sm font-medium text-slate-900">Sender</p>
          {review.sender.email ? (
            <div className="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-700">
              <span className="break-all">{review.sender.email}</span>
              <SenderBadge sender={review.sender} />
            </div>
          ) : (
            <p className="mt-1 text-sm text-rose-700">No sender address yet.</p>
          )}
          {!review.sender.verified && review.sender.domain && (
            <Link href="~/domains" className={cn(fixLink, 'mt-1 inline-block')}>
              Set up {review.sender.domain} under Domains
            </Link>
          )}
        </div>
      </CardBody>
    </Card>
  );
}
