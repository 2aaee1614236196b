import { useState } from 'react';
import { Link, Route, Switch } from 'wouter';
import { useDomains, type Domain } from '../../api/domains.ts';
import { useCan } from '../../auth/viewer.tsx';
import { Icon } from '../../components/Icon.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { QueryError } from '../../components/QueryError.tsx';
import { Button, Card, CardHeader, DataTable, EmptyState, type Column } from '../../components/ui/index.ts';
import { formatDateTime } from '../../lib/format.ts';
import { NotFoundScreen } from '../NotFoundScreen.tsx';
import { AddDomainDialog } from './AddDomainDialog.tsx';
import { DomainPage } from './DomainPage.tsx';
import { countRecords } from './records.ts';
import { DomainStatusBadge } from './StatusBadges.tsx';

const COLUMNS: Column<Domain>[] = [
  {
    id: 'name',
    header: 'Domain',
    cell: (domain) => (
      <div className="min-w-0">
        <Link
          href={`/${domain.id}`}
          className="font-medium break-all text-slate-900 hover:text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-600"
        >
          {domain.name}
        </Link>
        <p className="mt-1 sm:hidden">
          <DomainStatusBadge status={domain.status} />
        </p>
      </div>
    ),
  },
  {
    id: 'status',
    header: 'Status',
    className: 'hidden sm:table-cell',
    cell: (domain) => <DomainStatusBadge status={domain.status} />,
  },
  {
    id: 'records',
    header: 'Records found',
    className: 'hidden md:table-cell whitespace-nowrap',
    cell: (domain) => {
      const counts = countRecords(domain.records);
      return domain.last_checked_at ? `${counts.verified} of ${counts.total}` : 'Not checked yet';
    },
  },
  {
    id: 'checked',
    header: 'Last checked',
    className: 'hidden md:table-cell whitespace-nowrap',
    cell: (domain) => formatDateTime(domain.last_checked_at),
  },
  {
    id: 'open',
    header: 'Open',
    srOnlyHeader: true,
    className: 'w-px text-right',
    cell: (domain) => (
      <Link
        href={`/${domain.id}`}
        aria-label={domain.status === 'verified' ? `Records of ${domain.name}` : `Set up ${domain.name}`}
        className="inline-flex h-8 items-center rounded-lg px-2.5 text-sm font-medium whitespace-nowrap text-indigo-700 hover:bg-indigo-50 focus-visible:outline-2 focus-visible:outline-indigo-600"
      >
        {domain.status === 'verified' ? 'Records' : 'Set up'}
      </Link>
    ),
  },
];

function DomainList() {
  const domains = useDomains();
  const can = useCan();
  const [adding, setAdding] = useState(false);
  const rows = domains.data?.pages.flatMap((page) => page.items) ?? [];
  const addButton = can('domains:manage') ? (
    <Button onClick={() => setAdding(true)} icon={<Icon name="plus" className="size-4" />}>
      Add domain
    </Button>
  ) : undefined;

  return (
    <>
      <PageHeader
        title="Domains"
        description="Send from your own domain. Publish a few DNS records once, and receivers such as Gmail, Yahoo and Outlook can tell your mail is really yours."
        actions={domains.isError ? undefined : addButton}
      />
      <Card aria-labelledby="domains-title">
        <CardHeader
          titleId="domains-title"
          title="Sending domains"
          description="Campaigns can be sent only from addresses at a verified domain."
        />
        {domains.isError ? (
          <QueryError error={domains.error} onRetry={() => void domains.refetch()} />
        ) : (
          <DataTable
            caption="Sending domains"
            columns={COLUMNS}
            rows={rows}
            rowKey={(domain) => domain.id}
            loading={domains.isPending}
            hasMore={domains.hasNextPage}
            onLoadMore={() => void domains.fetchNextPage()}
            loadingMore={domains.isFetchingNextPage}
            itemLabel={{ one: 'domain', other: 'domains' }}
            empty={
              <EmptyState
                icon={<Icon name="domains" className="size-6" />}
                title="Add the domain you send from"
                description={
                  addButton
                    ? 'EngageX lists the DNS records to publish, with copy buttons, and checks them for you.'
                    : 'An owner or admin adds the domains your organization sends from.'
                }
                action={addButton}
              />
            }
          />
        )}
      </Card>
      <AddDomainDialog open={adding} onClose={() => setAdding(false)} />
    </>
  );
}

/** /domains: the list; /domains/:id: a domain's records and verification. */
export default function DomainsScreen() {
  return (
    <Switch>
      <Route path="/" component={DomainList} />
      <Route path="/:id">
        {(params: { id: string }) =>
          /^\d+$/.test(params.id) ? <DomainPage key={params.id} id={Number(params.id)} /> : <NotFoundScreen />
        }
      </Route>
      <Route component={NotFoundScreen} />
    </Switch>
  );
}
