import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';
import type { DnsRecord, Domain } from '../../api/domains.ts';
import { setApiKey } from '../../auth/credentials.ts';
import { errorBody, fakeApi, json } from '../../test/http.ts';
import { renderApp } from '../../test/render.tsx';

const ORG = {
  id: 1,
  slug: 'acme',
  name: 'Acme Outdoor Co.',
  default_from_name: null,
  default_from_email: null,
  timezone: 'UTC',
  created_at: '2026-01-02T10:00:00+00:00',
};
const KEY = 'egx_0123456789ab_secret';
const DKIM = `v=DKIM1; k=rsa; p=${'M'.repeat(392)}`;

function records(status: DnsRecord['status'] = 'pending', detail = 'not checked yet'): DnsRecord[] {
  return [
    { purpose: 'ownership', type: 'TXT', name: '_engagex.acme.example', value: 'engagex-verification=9f00', status, detail },
    { purpose: 'spf', type: 'TXT', name: 'acme.example', value: 'v=spf1 ip4:127.0.0.1 ~all', status, detail },
    { purpose: 'dkim', type: 'TXT', name: 'egx1234._domainkey.acme.example', value: DKIM, status, detail },
    { purpose: 'dmarc', type: 'TXT', name: '_dmarc.acme.example', value: 'v=DMARC1; p=none; adkim=r; aspf=r', status, detail },
  ];
}

function domain(overrides: Partial<Domain> = {}): Domain {
  return {
    id: 7,
    name: 'acme.example',
    provider: 'smtp',
    status: 'pending',
    dkim_selector: 'egx1234',
    records: records(),
    last_checked_at: null,
    verified_at: null,
    created_at: '2026-03-01T10:00:00+00:00',
    updated_at: '2026-03-01T10:00:00+00:00',
    ...overrides,
  };
}

function stubClipboard() {
  const writeText = vi.fn(async () => {});
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  return writeText;
}

describe('Domains', () => {
  it('adds a domain and opens its records, grouped and explained', async () => {
    const user = userEvent.setup();
    setApiKey(KEY);
    const created = domain();
    const { requests } = fakeApi({
      'GET /api/v1/organization': json(200, ORG),
      'GET /api/v1/domains': json(200, { items: [], next_cursor: null }),
      'POST /api/v1/domains': (request) =>
        (request.body as { name: string }).name === 'acme'
          ? json(422, errorBody('invalid_domain', "'acme' is not a domain name you can send from"))
          : json(201, created),
    });
    const { location } = renderApp('/domains');
    expect(await screen.findByText('Add the domain you send from')).toBeTruthy();
    await user.click(screen.getAllByRole('button', { name: 'Add domain' })[0]!);
    const dialog = screen.getByRole('dialog', { name: 'Add a sending domain' });
    const name = within(dialog).getByLabelText('Domain');
    expect(document.activeElement).toBe(name);

    // A service error code lands on the field it is about.
    await user.type(name, 'acme');
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));
    await waitFor(() => expect(name.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(name.getAttribute('aria-describedby')!)?.textContent).toMatch(/not a domain name/);

    await user.type(name, '.example');
    await user.click(within(dialog).getByRole('button', { name: 'Add domain' }));
    expect(await screen.findByRole('heading', { level: 1, name: 'acme.example' })).toBeTruthy();
    expect(location.history?.at(-1)).toBe('/domains/7');
    // The server's configured mail backend decides the records unless the person chose.
    expect(requests.filter((r) => r.method === 'POST').map((r) => r.body)).toEqual([{ name: 'acme' }, { name: 'acme.example' }]);

    const groups = ['Ownership', 'SPF', 'DKIM', 'DMARC'].map((title) => screen.getByRole('region', { name: title }));
    expect(within(groups[1]!).getByText(/add ip4:127\.0\.0\.1 to it/)).toBeTruthy();
    expect(screen.getByText('Publish these 4 records, then verify')).toBeTruthy();
    // Names as most DNS hosts want them, the full name next to it.
    const ownership = within(groups[0]!).getByRole('article');
    expect(within(ownership).getByText('_engagex')).toBeTruthy();
    expect(within(ownership).getByText('_engagex.acme.example', { selector: 'p span' })).toBeTruthy();
    expect(within(groups[1]!).getByText('@', { selector: 'dd > code' })).toBeTruthy();
    expect(within(ownership).getByText('Not checked')).toBeTruthy();
  });

  it('copies names and values, host-relative or in full', async () => {
    const user = userEvent.setup();
    const writeText = stubClipboard();
    setApiKey(KEY);
    fakeApi({
      'GET /api/v1/organization': json(200, ORG),
      'GET /api/v1/domains/7': json(200, domain()),
    });
    renderApp('/domains/7');
    const dkim = within(await screen.findByRole('region', { name: 'DKIM' })).getByRole('article');
    await user.click(within(dkim).getByRole('button', { name: 'Copy value' }));
    expect(writeText).toHaveBeenLastCalledWith(DKIM);
    await user.click(within(dkim).getByRole('button', { name: 'Copy name' }));
    expect(writeText).toHaveBeenLastCalledWith('egx1234._domainkey');

    await user.click(screen.getByRole('radio', { name: 'Full name' }));
    await user.click(within(dkim).getByRole('button', { name: /^Cop(y|ied) name$/ }));
    expect(writeText).toHaveBeenLastCalledWith('egx1234._domainkey.acme.example');

    await user.click(screen.getByRole('button', { name: 'Copy as zone file' }));
    const zone = (writeText.mock.lastCall as unknown as [string])[0].split('\n');
    expect(zone[0]).toBe('_engagex.acme.example. 3600 IN TXT "engagex-verification=9f00"');
    expect(zone).toHaveLength(4);
  });

  it('verifies, shows the progress and then each record’s diagnostic', async () => {
    const user = userEvent.setup();
    setApiKey(KEY);
    let answer: (value: Response) => void = () => {};
    const missing = 'expected TXT "engagex-verification=9f00" at _engagex.acme.example, found nothing (NXDOMAIN: the name does not exist)';
    const checkedRecords = records('verified', 'found it');
    checkedRecords[0] = { ...checkedRecords[0]!, status: 'failed', detail: missing };
    const { fetchMock } = fakeApi({
      'GET /api/v1/organization': json(200, ORG),
      'GET /api/v1/domains/7': json(200, domain()),
      'GET /api/v1/domains': json(200, { items: [], next_cursor: null }),
    });
    const original = fetchMock.getMockImplementation()!;
    fetchMock.mockImplementation(async (input, init) => {
      if (String(input).endsWith('/verify')) {
        return new Promise<Response>((resolve) => {
          answer = resolve;
        });
      }
      return original(input, init);
    });
    renderApp('/domains/7');
    await user.click(await screen.findByRole('button', { name: 'Verify' }));
    // While DNS is queried: a busy button and every record marked as being checked.
    expect(await screen.findByText('Checking 4 records in DNS…')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Checking DNS…' }).getAttribute('aria-busy')).toBe('true');
    expect(screen.getAllByText('Checking…')).toHaveLength(4);

    answer(
      new Response(JSON.stringify(domain({ status: 'failed', records: checkedRecords, last_checked_at: '2026-03-01T10:05:00+00:00' })), {
        status: 200,
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    expect(await screen.findByText('1 of 4 records need fixing')).toBeTruthy();
    const ownership = within(screen.getByRole('region', { name: 'Ownership' })).getByRole('article');
    expect(within(ownership).getByText('Needs fixing')).toBeTruthy();
    expect(within(ownership).getByText(missing)).toBeTruthy();
    expect(within(screen.getByRole('region', { name: 'SPF' })).getByText('found it')).toBeTruthy();
    // The summary is an alert: the outcome is announced without a toast.
    expect(screen.getByRole('alert').textContent).toContain('1 of 4 records need fixing');
  });

  it('shows why a verification was refused', async () => {
    const user = userEvent.setup();
    setApiKey(KEY);
    fakeApi({
      'GET /api/v1/organization': json(200, ORG),
      'GET /api/v1/domains/7': json(200, domain()),
      'POST /api/v1/domains/7/verify': json(
        403,
        errorBody('forbidden', "this action needs the 'domains:manage' permission", { permission: 'domains:manage' }),
      ),
    });
    renderApp('/domains/7');
    await user.click(await screen.findByRole('button', { name: 'Verify' }));
    expect(await screen.findByText(/You don't have permission to do this: this action needs the 'domains:manage' permission/)).toBeTruthy();
  });

  it('removes a domain after confirmation and returns to the list', async () => {
    const user = userEvent.setup();
    setApiKey(KEY);
    let removed = false;
    const { requests } = fakeApi({
      'GET /api/v1/organization': json(200, ORG),
      'GET /api/v1/domains': () => json(200, { items: removed ? [] : [domain()], next_cursor: null }),
      'GET /api/v1/domains/7': json(200, domain()),
      'DELETE /api/v1/domains/7': () => {
        removed = true;
        return json(204);
      },
    });
    const { location } = renderApp('/domains');
    await user.click(await screen.findByRole('link', { name: 'acme.example' }));
    await user.click(await screen.findByRole('button', { name: 'Remove' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Remove acme.example?' });
    expect(document.activeElement).toBe(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(confirm.textContent).toContain('Its DKIM key is deleted');
    await user.click(within(confirm).getByRole('button', { name: 'Remove domain' }));
    expect(await screen.findByText('Add the domain you send from')).toBeTruthy();
    expect(location.history?.at(-1)).toBe('/domains');
    expect(within(screen.getByRole('region', { name: 'Notifications' })).getByRole('status').textContent).toContain('Domain removed');
    // The removed domain is not fetched again.
    expect(requests.filter((r) => r.path === '/api/v1/domains/7' && r.method === 'GET')).toHaveLength(1);
  });

  it('lists domains with their status', async () => {
    setApiKey(KEY);
    fakeApi({
      'GET /api/v1/organization': json(200, ORG),
      'GET /api/v1/domains': json(200, {
        items: [
          domain({ status: 'verified', records: records('verified', 'ok'), last_checked_at: '2026-03-01T10:05:00+00:00' }),
          domain({ id: 8, name: 'news.acme.example', status: 'failed', records: records('failed', 'x'), last_checked_at: '2026-03-01T10:05:00+00:00' }),
        ],
        next_cursor: null,
      }),
    });
    renderApp('/domains');
    await screen.findByRole('link', { name: 'news.acme.example' });
    const table = screen.getByRole('table', { name: 'Sending domains' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(within(rows[0]!).getAllByText('Verified').length).toBeGreaterThan(0);
    expect(within(rows[0]!).getByText('4 of 4')).toBeTruthy();
    expect(within(rows[1]!).getAllByText('Action needed').length).toBeGreaterThan(0);
    expect(within(rows[1]!).getByRole('link', { name: 'Set up news.acme.example' }).getAttribute('href')).toBe('/domains/8');
  });
});
