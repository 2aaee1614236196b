import type { RefObject } from 'react';
import { Icon } from '../../../components/Icon.tsx';
import { MoreIcon } from '../../../components/MoreIcons.tsx';
import { Button, Card, CardBody, CardHeader, Input, Select } from '../../../components/ui/index.ts';
import type { FormErrors } from '../../../lib/forms.ts';
import type { Draft } from './draft.ts';

export const SAVE_FIELDS = ['name', 'subject', 'preheader', 'from_name', 'from_email', 'reply_to', 'kind'] as const;
export type SaveField = (typeof SAVE_FIELDS)[number];

/**
 * The message's subject and preheader, and (folded) its name, sender and kind. The
 * subject and preheader take variables inserted from the panel: focusing one of them
 * makes it where the next variable goes.
 */
export function MessageCard({
  draft,
  set,
  readOnly,
  problems,
  saveErrors,
  subjectInput,
  preheaderInput,
  onFocusField,
  onDelete,
}: {
  draft: Draft;
  set: (patch: Partial<Draft>) => void;
  readOnly: boolean;
  problems: { subject: string[]; preheader: string[] };
  saveErrors: FormErrors<SaveField> & { edited: (field: SaveField) => void };
  subjectInput: RefObject<HTMLInputElement | null>;
  preheaderInput: RefObject<HTMLInputElement | null>;
  onFocusField: (field: 'subject' | 'preheader') => void;
  onDelete: () => void;
}) {
  return (
    <Card aria-labelledby="message-title">
      <CardHeader titleId="message-title" title="Message" />
      <CardBody className="space-y-4">
        <Input
          ref={subjectInput}
          label="Subject"
          value={draft.subject}
          readOnly={readOnly}
          onChange={(event) => {
            set({ subject: event.target.value });
            saveErrors.edited('subject');
          }}
          onFocus={() => onFocusField('subject')}
          error={problems.subject.length ? problems.subject : saveErrors.fields.subject}
          placeholder="What’s new at {{ organization.name }}"
          maxLength={1000}
        />
        <Input
          ref={preheaderInput}
          label="Preheader"
          optional
          value={draft.preheader}
          readOnly={readOnly}
          onChange={(event) => set({ preheader: event.target.value })}
          onFocus={() => onFocusField('preheader')}
          error={problems.preheader.length ? problems.preheader : saveErrors.fields.preheader}
          hint="The grey line inboxes show after the subject."
          maxLength={1000}
        />
        <details
          className="group rounded-lg border border-slate-200"
          open={Boolean(saveErrors.fields.from_email || saveErrors.fields.name || saveErrors.fields.reply_to)}
        >
          <summary className="flex cursor-pointer items-center justify-between rounded-lg px-3 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-600">
            Sender and settings
            <MoreIcon name="chevronDown" className="size-4 text-slate-400 transition-transform group-open:rotate-180" />
          </summary>
          <div className="space-y-4 border-t border-slate-200 px-3 py-4">
            <Input
              label="Template name"
              value={draft.name}
              readOnly={readOnly}
              onChange={(event) => {
                set({ name: event.target.value });
                saveErrors.edited('name');
              }}
              error={saveErrors.fields.name}
              maxLength={200}
            />
            <div className="grid gap-4 sm:grid-cols-2">
              <Input
                label="From name"
                optional
                value={draft.fromName}
                readOnly={readOnly}
                onChange={(event) => set({ fromName: event.target.value })}
                maxLength={200}
              />
              <Input
                label="From address"
                optional
                type="email"
                value={draft.fromEmail}
                readOnly={readOnly}
                onChange={(event) => {
                  set({ fromEmail: event.target.value });
                  saveErrors.edited('from_email');
                }}
                error={saveErrors.fields.from_email}
                hint="At a verified domain. Empty: the organization's default sender."
                maxLength={320}
                spellCheck={false}
              />
            </div>
            <Input
              label="Reply-to"
              optional
              type="email"
              value={draft.replyTo}
              readOnly={readOnly}
              onChange={(event) => {
                set({ replyTo: event.target.value });
                saveErrors.edited('reply_to');
              }}
              error={saveErrors.fields.reply_to}
              maxLength={320}
              spellCheck={false}
            />
            <Select
              label="Kind"
              value={draft.kind}
              disabled={readOnly}
              onChange={(event) => set({ kind: event.target.value as Draft['kind'] })}
              options={[
                { value: 'marketing', label: 'Marketing (needs an unsubscribe link)' },
                { value: 'transactional', label: 'Transactional (receipts, password resets)' },
              ]}
            />
            {!readOnly && (
              <div className="flex justify-end border-t border-slate-200 pt-4">
                <Button variant="danger-ghost" size="sm" onClick={onDelete} icon={<Icon name="trash" className="size-4" />}>
                  Delete template
                </Button>
              </div>
            )}
          </div>
        </details>
      </CardBody>
    </Card>
  );
}
