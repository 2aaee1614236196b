import { useRef, useState, type FormEvent } from 'react';
import {
  ALL_EVENTS,
  useCreateWebhook,
  useUpdateWebhook,
  useWebhookEventTypes,
  type Webhook,
  type WebhookInput,
  type WebhookWithSecret,
} from '../../../api/webhooks.ts';
import { describeError } from '../../../api/errors.ts';
import { Alert, Button, Dialog, Input, Skeleton, useToast } from '../../../components/ui/index.ts';
import { useFocusFirstInvalid, useServerErrors } from '../../../lib/forms.ts';
import { EventTypePicker } from './EventTypePicker.tsx';

const FIELDS = ['url', 'event_types', 'description'] as const;
type Field = (typeof FIELDS)[number];
const CODE_TO_FIELD = { invalid_webhook_url: 'url', invalid_event_types: 'event_types', invalid_value: 'description' } as const;

/** What the browser can tell before asking the server (which also checks HTTPS and the host). */
export function checkInput(url: string, all: boolean, chosen: readonly string[]): Partial<Record<Field, string>> {
  const problems: Partial<Record<Field, string>> = {};
  const trimmed = url.trim();
  if (!trimmed) problems.url = 'Enter the URL that should receive the events.';
  else {
    let parsed: URL | null = null;
    try {
      parsed = new URL(trimmed);
    } catch {
      parsed = null;
    }
    if (!parsed || !/^https?:$/.test(parsed.protocol)) problems.url = 'Enter a full URL, starting with https://';
  }
  if (!all && chosen.length === 0) problems.event_types = 'Choose at least one event, or send all of them.';
  return problems;
}

/**
 * Adds an endpoint (`webhook` null) or edits one. A new endpoint's answer carries its
 * signing secret: `onCreated` gets it, to show it once.
 */
export function WebhookFormDialog({
  open,
  webhook,
  onClose,
  onCreated,
}: {
  open: boolean;
  webhook: Webhook | null;
  onClose: () => void;
  onCreated: (created: WebhookWithSecret) => void;
}) {
  const types = useWebhookEventTypes();
  const create = useCreateWebhook();
  const update = useUpdateWebhook();
  const mutation = webhook ? update : create;
  const toast = useToast();
  const initialAll = webhook ? webhook.event_types.includes(ALL_EVENTS) : true;
  const [url, setUrl] = useState(webhook?.url ?? '');
  const [description, setDescription] = useState(webhook?.description ?? '');
  const [all, setAll] = useState(initialAll);
  const [chosen, setChosen] = useState<string[]>(initialAll ? [] : (webhook?.event_types ?? []));
  const [local, setLocal] = useState<Partial<Record<Field, string>>>({});
  const server = useServerErrors(mutation.error, FIELDS, CODE_TO_FIELD);
  const formRef = useRef<HTMLFormElement>(null);
  const [attempt, setAttempt] = useState(0);
  // A refused submit, the browser's checks or the server's: focus the first invalid control.
  useFocusFirstInvalid(formRef, Object.keys(local).length > 0 ? attempt : mutation.error);

  const error = (field: Field) => local[field] ?? server.fields[field];
  const edited = (field: Field) => {
    server.edited(field);
    setLocal(({ [field]: _dropped, ...rest }) => rest);
  };

  const close = () => {
    create.reset();
    update.reset();
    onClose();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problems = checkInput(url, all, chosen);
    setLocal(problems);
    setAttempt((count) => count + 1);
    if (Object.keys(problems).length > 0) return;
    const input: WebhookInput = {
      url: url.trim(),
      event_types: all ? [ALL_EVENTS] : chosen,
      description: description.trim() || null,
    };
    if (webhook) {
      update.mutate(
        { id: webhook.id, changes: input },
        {
          onSuccess: () => {
            toast.success('Endpoint saved', input.url);
            close();
          },
        },
      );
    } else {
      create.mutate(input, {
        onSuccess: (created) => {
          create.reset();
          onCreated(created);
        },
      });
    }
  };

  const formId = webhook ? `edit-webhook-${webhook.id}` : 'add-webhook';
  return (
    <Dialog
      open={open}
      onClose={close}
      busy={mutation.isPending}
      title={webhook ? 'Edit endpoint' : 'Add a webhook endpoint'}
      description="Each event is POSTed to this URL as signed JSON, and retried for hours until the URL answers with a 2xx status."
      footer={
        <>
          <Button variant="secondary" onClick={close} disabled={mutation.isPending}>
            Cancel
          </Button>
          <Button type="submit" form={formId} loading={mutation.isPending}>
            {webhook ? 'Save changes' : 'Add endpoint'}
          </Button>
        </>
      }
    >
      <form ref={formRef} id={formId} onSubmit={submit} noValidate className="space-y-5">
        {server.form && <Alert>{server.form}</Alert>}
        <Input
          label="Endpoint URL"
          type="url"
          inputMode="url"
          value={url}
          onChange={(event) => {
            setUrl(event.target.value);
            edited('url');
          }}
          error={error('url')}
          hint="A public HTTPS address of your system."
          placeholder="https://crm.example.com/hooks/engagex"
          autoComplete="off"
          spellCheck={false}
          data-autofocus
        />
        <Input
          label="Description"
          optional
          value={description}
          onChange={(event) => {
            setDescription(event.target.value);
            edited('description');
          }}
          error={error('description')}
          hint="What receives the events, for your team."
          maxLength={500}
          autoComplete="off"
        />
        {types.isPending ? (
          <Skeleton className="h-32 w-full" />
        ) : types.isError ? (
          <Alert>The event types could not be loaded: {describeError(types.error)}</Alert>
        ) : (
          <EventTypePicker
            types={types.data}
            all={all}
            chosen={chosen}
            onAllChange={(value) => {
              setAll(value);
              edited('event_types');
            }}
            onChosenChange={(value) => {
              setChosen(value);
              edited('event_types');
            }}
            error={error('event_types')}
          />
        )}
      </form>
    </Dialog>
  );
}
