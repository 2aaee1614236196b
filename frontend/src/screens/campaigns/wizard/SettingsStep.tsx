import { useId, useState, type ReactNode } from 'react';
import { Link } from 'wouter';
import { useOrganization } from '../../../api/accounts.ts';
import { MAX_SEEDS } from '../../../api/campaigns.ts';
import { useDomains } from '../../../api/domains.ts';
import { useTemplate, type Template } from '../../../api/templates.ts';
import { Alert, Input, Switch } from '../../../components/ui/index.ts';
import { controlClass } from '../../../components/ui/Field.tsx';
import { cn } from '../../../lib/cn.ts';
import { useServerErrors } from '../../../lib/forms.ts';
import type { StepProps } from './CampaignWizard.tsx';
import { domainOf, parseAddresses } from '../../../lib/addresses.ts';
import { settingsProblems, type CampaignDraft, type SettingsField } from './draft.ts';

const FIELDS = ['name', 'subject', 'from_name', 'from_email', 'reply_to', 'seed_emails'] as const;
const CODE_TO_FIELD = {
  invalid_name: 'name',
  template_invalid: 'subject',
  too_many_seeds: 'seed_emails',
  no_sender: 'from_email',
  sender_domain_unverified: 'from_email',
} as const;

type SettingsProps = StepProps & { showProblems: boolean; saveError: unknown };

function TemplateLoader({ id, children }: { id: number; children: (template: Template | undefined) => ReactNode }) {
  const template = useTemplate(id);
  return <>{children(template.data)}</>;
}

function TrackingSwitch({ label, hint, checked, onChange }: { label: string; hint: string; checked: boolean; onChange: (value: boolean) => void }) {
  const id = useId();
  return (
    <div className="flex items-start justify-between gap-4 py-3">
      <div className="min-w-0">
        <p id={`${id}-label`} className="text-sm font-medium text-slate-900">
          {label}
        </p>
        <p id={`${id}-hint`} className="text-sm text-slate-500">
          {hint}
        </p>
      </div>
      <Switch checked={checked} onChange={onChange} labelledBy={`${id}-label`} describedBy={`${id}-hint`} />
    </div>
  );
}

function SettingsForm({ draft, patch, showProblems, saveError, template }: SettingsProps & { template: Template | undefined }) {
  const organization = useOrganization();
  const domains = useDomains();
  const server = useServerErrors(saveError, FIELDS, CODE_TO_FIELD);
  const [touched, setTouched] = useState<ReadonlySet<SettingsField>>(() => new Set());
  const problems = settingsProblems(draft);
  const seedsId = useId();

  const errorOf = (field: SettingsField) =>
    (showProblems || touched.has(field) ? problems[field] : undefined) ?? server.fields[field];
  const edit = (field: SettingsField, changes: Partial<CampaignDraft>) => {
    patch(changes);
    server.edited(field);
  };
  const blur = (field: SettingsField) => setTouched((current) => new Set(current).add(field));

  const org = organization.data;
  const defaultFrom = template?.from_email || org?.default_from_email || null;
  const defaultName = template?.from_name || org?.default_from_name || org?.name || null;
  const verified = (domains.data?.pages.flatMap((page) => page.items) ?? []).filter((domain) => domain.status === 'verified').map((domain) => domain.name);
  const sender = draft.from_email.trim() || defaultFrom || '';
  const senderDomain = domainOf(sender);
  const unverified = Boolean(domains.data && senderDomain && !verified.includes(senderDomain));
  const seedCount = parseAddresses(draft.seeds).length;
  const seedError = errorOf('seed_emails');

  return (
    <div className="space-y-8">
      {server.form && <Alert>{server.form}</Alert>}
      <section className="grid gap-4 md:grid-cols-2" aria-label="Name and subject">
        <Input
          label="Campaign name"
          value={draft.name}
          onChange={(event) => edit('name', { name: event.target.value })}
          onBlur={() => blur('name')}
          error={errorOf('name')}
          hint="For you and your team; recipients never see it."
          maxLength={200}
          autoComplete="off"
        />
        <Input
          label="Subject"
          optional
          value={draft.subject}
          onChange={(event) => edit('subject', { subject: event.target.value })}
          error={errorOf('subject')}
          placeholder={template?.subject}
          hint={
            template?.subject
              ? `Empty: the template’s subject, “${template.subject}”. Personal fields such as {{ first_name }} work here too.`
              : 'Empty: the template’s subject. Personal fields such as {{ first_name }} work here too.'
          }
          maxLength={1000}
          autoComplete="off"
        />
      </section>

      <section aria-labelledby="sender-title">
        <h3 id="sender-title" className="text-base font-semibold text-slate-900">
          Sender
        </h3>
        <div className="mt-3 grid gap-4 md:grid-cols-3">
          <Input
            label="From name"
            optional
            value={draft.from_name}
            onChange={(event) => edit('from_name', { from_name: event.target.value })}
            error={errorOf('from_name')}
            placeholder={defaultName ?? undefined}
            hint={defaultName ? `Empty: “${defaultName}”.` : undefined}
            maxLength={200}
            autoComplete="off"
          />
          <Input
            label="From address"
            optional={Boolean(defaultFrom)}
            type="email"
            value={draft.from_email}
            onChange={(event) => edit('from_email', { from_email: event.target.value })}
            onBlur={() => blur('from_email')}
            error={errorOf('from_email')}
            placeholder={defaultFrom ?? 'news@yourdomain.com'}
            hint={defaultFrom ? `Empty: ${defaultFrom}.` : 'An address at one of your verified sending domains.'}
            maxLength={320}
            autoComplete="off"
            spellCheck={false}
          />
          <Input
            label="Reply-to address"
            optional
            type="email"
            value={draft.reply_to}
            onChange={(event) => edit('reply_to', { reply_to: event.target.value })}
            onBlur={() => blur('reply_to')}
            error={errorOf('reply_to')}
            hint="Where replies go when not to the From address."
            maxLength={320}
            autoComplete="off"
            spellCheck={false}
          />
        </div>
        {unverified && (
          <Alert tone="warning" className="mt-4" title={`${senderDomain} is not a verified sending domain`}>
            Mail can only be sent from a domain you have verified.{' '}
            {verified.length > 0 ? `Verified now: ${verified.join(', ')}. ` : ''}
            <Link href="~/domains" className="font-medium underline">
              Set up your domain
            </Link>
          </Alert>
        )}
      </section>

      <section aria-labelledby="tracking-title">
        <h3 id="tracking-title" className="text-base font-semibold text-slate-900">
          Tracking
        </h3>
        <div className="mt-1 divide-y divide-slate-100">
          <TrackingSwitch
            label="Track opens"
            hint="An invisible image tells you who opened the email. Some mail apps load it for privacy without a person reading; the report counts those apart."
            checked={draft.track_opens}
            onChange={(value) => patch({ track_opens: value })}
          />
          <TrackingSwitch
            label="Track clicks"
            hint="Links go through EngageX first, so the report shows who clicked what."
            checked={draft.track_clicks}
            onChange={(value) => patch({ track_clicks: value })}
          />
        </div>
      </section>

      <section aria-labelledby="seeds-title">
        <h3 id="seeds-title" className="text-base font-semibold text-slate-900">
          Seed list
        </h3>
        <p id={`${seedsId}-about`} className="mt-1 text-sm text-slate-600">
          Addresses that get the campaign first, to see it arrive as recipients do, and that test sends go to by default.
        </p>
        <label htmlFor={seedsId} className="mt-3 block text-sm font-medium text-slate-800">
          Seed addresses
        </label>
        <textarea
          id={seedsId}
          rows={3}
          value={draft.seeds}
          onChange={(event) => edit('seed_emails', { seeds: event.target.value })}
          onBlur={() => blur('seed_emails')}
          aria-invalid={seedError ? true : undefined}
          aria-describedby={`${seedsId}-about ${seedsId}-help`}
          className={cn(controlClass(Boolean(seedError)), 'mt-1.5 py-2')}
          placeholder="you@yourdomain.com, colleague@yourdomain.com"
          spellCheck={false}
        />
        <p id={`${seedsId}-help`} className={cn('mt-1.5 text-sm', seedError ? 'text-rose-600' : 'text-slate-500')}>
          {seedError ?? `Optional. Up to ${MAX_SEEDS} addresses, one per line or separated by commas. ${seedCount} listed.`}
        </p>
      </section>
    </div>
  );
}

/** Step 3: name, subject override, sender, tracking and the seed list. */
export function SettingsStep(props: SettingsProps) {
  const id = props.draft.template_id;
  return id === null ? (
    <SettingsForm {...props} template={undefined} />
  ) : (
    <TemplateLoader id={id}>{(template) => <SettingsForm {...props} template={template} />}</TemplateLoader>
  );
}
