import type { Invoice } from '../../api/billing.ts';
import { useInvoices } from '../../api/billing.ts';
import { Icon } from '../../components/Icon.tsx';
import { QueryError } from '../../components/QueryError.tsx';
import { Badge, Card, CardHeader, DataTable, EmptyState, type BadgeTone, type Column } from '../../components/ui/index.ts';
import { formatDate, formatMoney } from '../../lib/format.ts';

const STATUS: Record<string, { label: string; tone: BadgeTone }> = {
  paid: { label: 'Paid', tone: 'success' },
  open: { label: 'Open', tone: 'warning' },
  uncollectible: { label: 'Uncollectible', tone: 'danger' },
  void: { label: 'Void', tone: 'neutral' },
  draft: { label: 'Draft', tone: 'neutral' },
};

function invoiceLabel(invoice: Invoice): string {
  return invoice.number ?? invoice.stripe_invoice_id;
}

function InvoiceStatus({ invoice }: { invoice: Invoice }) {
  const view = STATUS[invoice.status] ?? { label: invoice.status, tone: 'neutral' as const };
  return <Badge tone={view.tone}>{view.label}</Badge>;
}

const LINK =
  'inline-flex items-center gap-1 rounded-md px-1.5 py-1 text-sm font-medium text-indigo-700 hover:bg-indigo-50 focus-visible:outline-2 focus-visible:outline-indigo-600';

const COLUMNS: Column<Invoice>[] = [
  {
    id: 'number',
    header: 'Invoice',
    cell: (invoice) => (
      <div className="min-w-0">
        <p className="font-medium whitespace-nowrap text-slate-900">{invoiceLabel(invoice)}</p>
        <p className="flex flex-wrap items-center gap-x-2 gap-y-1 text-slate-500 sm:hidden">
          {formatDate(invoice.issued_at)}
          <InvoiceStatus invoice={invoice} />
        </p>
      </div>
    ),
  },
  {
    id: 'issued',
    header: 'Date',
    className: 'hidden sm:table-cell whitespace-nowrap',
    cell: (invoice) => formatDate(invoice.issued_at),
  },
  {
    id: 'period',
    header: 'Period',
    className: 'hidden lg:table-cell whitespace-nowrap',
    cell: (invoice) =>
      invoice.period_start && invoice.period_end ? `${formatDate(invoice.period_start)} – ${formatDate(invoice.period_end)}` : '—',
  },
  {
    id: 'amount',
    header: 'Amount',
    className: 'whitespace-nowrap tabular-nums',
    cell: (invoice) => formatMoney(invoice.amount_due, invoice.currency),
  },
  {
    id: 'status',
    header: 'Status',
    className: 'hidden sm:table-cell',
    cell: (invoice) => <InvoiceStatus invoice={invoice} />,
  },
  {
    id: 'links',
    header: 'Documents',
    srOnlyHeader: true,
    className: 'w-px text-right whitespace-nowrap',
    cell: (invoice) => (
      <span className="inline-flex gap-1">
        {invoice.hosted_invoice_url && (
          <a href={invoice.hosted_invoice_url} target="_blank" rel="noopener noreferrer" className={LINK}>
            View<span className="sr-only"> invoice {invoiceLabel(invoice)} (opens in a new tab)</span>
            <Icon name="external" className="size-3.5" />
          </a>
        )}
        {invoice.invoice_pdf && (
          <a href={invoice.invoice_pdf} target="_blank" rel="noopener noreferrer" className={LINK}>
            PDF<span className="sr-only"> of invoice {invoiceLabel(invoice)} (opens in a new tab)</span>
          </a>
        )}
      </span>
    ),
  },
];

export function InvoicesCard() {
  const invoices = useInvoices();
  const rows = invoices.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <Card aria-labelledby="invoices-title">
      <CardHeader titleId="invoices-title" title="Invoices" description="Your billing history, newest first." />
      {invoices.isError ? (
        <QueryError error={invoices.error} onRetry={() => void invoices.refetch()} />
      ) : (
        <DataTable
          caption="Invoices"
          columns={COLUMNS}
          rows={rows}
          rowKey={(invoice) => invoice.id}
          loading={invoices.isPending}
          hasMore={invoices.hasNextPage}
          onLoadMore={() => void invoices.fetchNextPage()}
          loadingMore={invoices.isFetchingNextPage}
          itemLabel={{ one: 'invoice', other: 'invoices' }}
          empty={
            <EmptyState
              icon={<Icon name="billing" className="size-6" />}
              title="No invoices yet"
              description="Invoices appear here after the first payment of a paid plan."
            />
          }
        />
      )}
    </Card>
  );
}
