import { useState } from 'react';
import { useApiKeys, type ApiKey } from '../../api/accounts.ts';
import { apiKeyPrefix } from '../../auth/credentials.ts';
import { useApiKey } from '../../auth/session.tsx';
import { useCan } from '../../auth/viewer.tsx';
import { Icon } from '../../components/Icon.tsx';
import { QueryError } from '../../components/QueryError.tsx';
import { Badge, Button, Card, CardHeader, DataTable, EmptyState, type Column } from '../../components/ui/index.ts';
import { formatDate } from '../../lib/format.ts';
import { roleLabel } from '../../lib/roles.ts';
import { CreateApiKeyDialog } from './CreateApiKeyDialog.tsx';
import { RevokeApiKeyDialog } from './RevokeApiKeyDialog.tsx';

export function ApiKeysSettings() {
  const keys = useApiKeys();
  const currentPrefix = apiKeyPrefix(useApiKey());
  const canManage = useCan()('api_keys:manage');
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const rows = keys.data?.pages.flatMap((page) => page.items) ?? [];

  const columns: Column<ApiKey>[] = [
    {
      id: 'name',
      header: 'Name',
      cell: (key) => (
        <div className="min-w-0">
          <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
            <span className="font-medium text-slate-900">{key.name}</span>
            {key.prefix === currentPrefix && <Badge tone="brand">This browser</Badge>}
            <span className="sm:hidden">
              <Badge>{roleLabel(key.role)}</Badge>
            </span>
          </div>
          <code className="mt-0.5 block font-mono text-xs text-slate-500">egx_{key.prefix}_••••</code>
        </div>
      ),
    },
    {
      id: 'role',
      header: 'Role',
      className: 'hidden sm:table-cell',
      cell: (key) => <Badge>{roleLabel(key.role)}</Badge>,
    },
    {
      id: 'created',
      header: 'Created',
      className: 'hidden md:table-cell whitespace-nowrap',
      cell: (key) => formatDate(key.created_at),
    },
    {
      id: 'actions',
      header: 'Actions',
      srOnlyHeader: true,
      className: 'w-px text-right',
      cell: (key) => (
        <Button variant="danger-ghost" size="sm" onClick={() => setRevoking(key)} aria-label={`Revoke ${key.name}`}>
          Revoke
        </Button>
      ),
    },
  ];

  const createButton = canManage ? (
    <Button onClick={() => setCreating(true)} icon={<Icon name="plus" className="size-4" />}>
      Create API key
    </Button>
  ) : undefined;

  return (
    <Card aria-labelledby="api-keys-title">
      <CardHeader
        titleId="api-keys-title"
        title="API keys"
        description="Keys let scripts and integrations use the EngageX API with the permissions of a role. Treat them like passwords."
        actions={keys.isError ? undefined : createButton}
      />
      {keys.isError ? (
        <QueryError error={keys.error} onRetry={() => void keys.refetch()} />
      ) : (
        <DataTable
          caption="API keys"
          columns={columns}
          rows={rows}
          rowKey={(key) => key.id}
          loading={keys.isPending}
          hasMore={keys.hasNextPage}
          onLoadMore={() => void keys.fetchNextPage()}
          loadingMore={keys.isFetchingNextPage}
          itemLabel={{ one: 'key', other: 'keys' }}
          empty={
            <EmptyState
              icon={<Icon name="key" className="size-6" />}
              title="No API keys yet"
              description="Create a key to connect a script, a CRM or another tool to EngageX."
              action={createButton}
            />
          }
        />
      )}
      <CreateApiKeyDialog open={creating} onClose={() => setCreating(false)} />
      <RevokeApiKeyDialog apiKey={revoking} isCurrent={revoking?.prefix === currentPrefix} onClose={() => setRevoking(null)} />
    </Card>
  );
}
