import { useState } from 'react';
import { describeError } from '../../../api/errors.ts';
import {
  ALL_EVENTS,
  useSendTestPing,
  useUpdateWebhook,
  useWebhooks,
  type Webhook,
  type WebhookWithSecret,
} from '../../../api/webhooks.ts';
import { Icon } from '../../../components/Icon.tsx';
import { MoreIcon } from '../../../components/MoreIcons.tsx';
import { QueryError } from '../../../components/QueryError.tsx';
import {
  Badge,
  Button,
  Card,
  CardHeader,
  EmptyState,
  LoadingRegion,
  Menu,
  MenuItem,
  MenuSeparator,
  Skeleton,
  Switch,
  useToast,
} from '../../../components/ui/index.ts';
import { formatDateTime, formatRelative } from '../../../lib/format.ts';
import { DeleteWebhookDialog, RotateSecretDialog } from './ConfirmDialogs.tsx';
import { DeliveryLog } from './DeliveryLog.tsx';
import { SecretDialog, type ShownSecret } from './SecretDialog.tsx';
import { WebhookFormDialog } from './WebhookFormDialog.tsx';

const SHOWN_TYPES = 4;

function EventBadges({ types }: { types: readonly string[] }) {
  if (types.includes(ALL_EVENTS)) return <Badge tone="brand">All events</Badge>;
  const rest = types.length - SHOWN_TYPES;
  return (
    <span className="flex flex-wrap gap-1.5" aria-label={`Events: ${types.join(', ')}`}>
      {types.slice(0, SHOWN_TYPES).map((type) => (
        <Badge key={type} className="font-mono">
          {type}
        </Badge>
      ))}
      {rest > 0 && <Badge>+{rest} more</Badge>}
    </span>
  );
}

function LastResults({ webhook }: { webhook: Webhook }) {
  const item = (label: string, value: string | null, tone: string) => (
    <span>
      {label}{' '}
      {value ? (
        <time dateTime={value} title={formatDateTime(value)} className={tone}>
          {formatRelative(value)}
        </time>
      ) : (
        <span>never</span>
      )}
    </span>
  );
  return (
    <p className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-500">
      {item('Last success', webhook.last_success_at, 'text-emerald-700')}
      {item('Last failure', webhook.last_failure_at, 'text-rose-700')}
    </p>
  );
}

interface RowActions {
  onEdit: () => void;
  onRotate: () => void;
  onDelete: () => void;
}

function WebhookRow({ webhook, actions }: { webhook: Webhook; actions: RowActions }) {
  const [logOpen, setLogOpen] = useState(false);
  const update = useUpdateWebhook();
  const ping = useSendTestPing();
  const toast = useToast();
  const logId = `webhook-${webhook.id}-log`;

  const setEnabled = (enabled: boolean) =>
    update.mutate(
      { id: webhook.id, changes: { enabled } },
      {
        onSuccess: () =>
          toast.success(enabled ? 'Deliveries resumed' : 'Deliveries paused', enabled ? `${webhook.url} receives new events again.` : `New events are not sent to ${webhook.url}.`),
        onError: (error) => toast.error('The endpoint was not changed', describeError(error)),
      },
    );

  const sendPing = () =>
    ping.mutate(webhook.id, {
      onSuccess: () => {
        setLogOpen(true);
        toast.success('Test ping queued', 'Its result appears in the delivery log within a few seconds.');
      },
      onError: (error) => toast.error('The test ping was not sent', describeError(error)),
    });

  return (
    <li className="px-5 py-4 sm:px-6" data-testid={`webhook-${webhook.id}`}>
      <div className="flex flex-col gap-3 sm:flex-row sm:items-start">
        <div className="min-w-0 flex-1 space-y-2">
          <div className="flex flex-wrap items-center gap-2">
            <p className="font-mono text-sm font-medium break-all text-slate-900">{webhook.url}</p>
            {!webhook.enabled && <Badge tone="warning">Paused</Badge>}
          </div>
          {webhook.description && <p className="text-sm text-slate-600">{webhook.description}</p>}
          <EventBadges types={webhook.event_types} />
          <LastResults webhook={webhook} />
        </div>
        <div className="flex shrink-0 items-center gap-2">
          <span className="text-sm text-slate-600" aria-hidden="true">
            {webhook.enabled ? 'On' : 'Off'}
          </span>
          <Switch checked={webhook.enabled} onChange={setEnabled} disabled={update.isPending} label={`Send events to ${webhook.url}`} />
          <Menu
            label={`Actions for ${webhook.url}`}
            triggerClassName="rounded-md p-1.5 text-slate-500 hover:bg-slate-100 hover:text-slate-800"
            panelClassName="w-56"
            trigger={<Icon name="more" />}
          >
            <MenuItem onSelect={actions.onEdit} icon={<MoreIcon name="pencil" className="size-4 text-slate-400" />}>
              Edit…
            </MenuItem>
            <MenuItem onSelect={actions.onRotate} icon={<Icon name="key" className="size-4 text-slate-400" />}>
              Rotate signing secret…
            </MenuItem>
            <MenuSeparator />
            <MenuItem onSelect={actions.onDelete} tone="danger" icon={<Icon name="trash" className="size-4" />}>
              Delete…
            </MenuItem>
          </Menu>
        </div>
      </div>
      <div className="mt-2 flex flex-wrap gap-2">
        <Button
          variant="secondary"
          size="sm"
          aria-expanded={logOpen}
          aria-controls={logOpen ? logId : undefined}
          onClick={() => setLogOpen((value) => !value)}
          icon={<MoreIcon name="history" className="size-4" />}
        >
          {logOpen ? 'Hide delivery log' : 'Delivery log'}
        </Button>
        <Button variant="ghost" size="sm" onClick={sendPing} loading={ping.isPending} icon={<MoreIcon name="send" className="size-4" />}>
          Send test ping
        </Button>
      </div>
      {logOpen && <DeliveryLog endpointId={webhook.id} id={logId} />}
    </li>
  );
}

/** Settings › Webhooks: the endpoints that receive the organization's events. */
export default function WebhooksSettings() {
  const webhooks = useWebhooks();
  const [form, setForm] = useState<{ webhook: Webhook | null } | null>(null);
  const [deleting, setDeleting] = useState<Webhook | null>(null);
  const [rotating, setRotating] = useState<Webhook | null>(null);
  const [secret, setSecret] = useState<ShownSecret | null>(null);
  const rows = webhooks.data?.pages.flatMap((page) => page.items) ?? [];

  const addButton = (
    <Button onClick={() => setForm({ webhook: null })} icon={<Icon name="plus" className="size-4" />}>
      Add endpoint
    </Button>
  );
  const show = (webhook: WebhookWithSecret, rotated: boolean) => setSecret({ url: webhook.url, secret: webhook.secret, rotated });

  return (
    <Card aria-labelledby="webhooks-title">
      <CardHeader
        titleId="webhooks-title"
        title="Webhooks"
        description="Send your organization's events (deliveries, opens, clicks, bounces, unsubscriptions, campaign changes) to your own systems as signed HTTPS requests, as they happen."
        actions={webhooks.isError || rows.length === 0 ? undefined : addButton}
      />
      {webhooks.isPending ? (
        <LoadingRegion>
          <div className="space-y-4 px-5 py-5 sm:px-6">
            <Skeleton className="h-5 w-2/3" />
            <Skeleton className="h-4 w-1/2" />
            <Skeleton className="h-5 w-3/5" />
          </div>
        </LoadingRegion>
      ) : webhooks.isError ? (
        <QueryError error={webhooks.error} onRetry={() => void webhooks.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState
          icon={<Icon name="external" className="size-6" />}
          title="No endpoints yet"
          description="Add the HTTPS address of your CRM, data warehouse or automation tool to keep it in step with EngageX: for example, mark people as unsubscribed there the moment they leave."
          action={addButton}
        />
      ) : (
        <>
          <ul className="divide-y divide-slate-200" aria-label="Webhook endpoints">
            {rows.map((webhook) => (
              <WebhookRow
                key={webhook.id}
                webhook={webhook}
                actions={{
                  onEdit: () => setForm({ webhook }),
                  onRotate: () => setRotating(webhook),
                  onDelete: () => setDeleting(webhook),
                }}
              />
            ))}
          </ul>
          {webhooks.hasNextPage && (
            <div className="border-t border-slate-200 px-5 py-3 sm:px-6">
              <Button variant="secondary" size="sm" onClick={() => void webhooks.fetchNextPage()} loading={webhooks.isFetchingNextPage}>
                Load more
              </Button>
            </div>
          )}
        </>
      )}
      {form && (
        <WebhookFormDialog
          key={form.webhook?.id ?? 'new'}
          open
          webhook={form.webhook}
          onClose={() => setForm(null)}
          onCreated={(created) => {
            setForm(null);
            show(created, false);
          }}
        />
      )}
      <DeleteWebhookDialog webhook={deleting} onClose={() => setDeleting(null)} />
      <RotateSecretDialog
        webhook={rotating}
        onClose={() => setRotating(null)}
        onRotated={(rotated) => {
          setRotating(null);
          show(rotated, true);
        }}
      />
      <SecretDialog shown={secret} onDone={() => setSecret(null)} />
    </Card>
  );
}
