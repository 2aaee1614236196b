import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Delivery, Webhook } from '../../../api/webhooks.ts';
import { errorBody, fakeApi, json } from '../../../test/http.ts';
import { renderScreen } from '../../contacts/testing.tsx';
import WebhooksSettings from './WebhooksSettings.tsx';

const EVENT_TYPES = {
  items: [
    { type: 'email.delivered', description: 'The receiving server accepted the message (SendGrid)' },
    { type: 'email.bounced', description: 'A bounce; `hard` tells a permanent one' },
    { type: 'contact.unsubscribed', description: 'A recipient unsubscribed' },
    { type: 'campaign.sent', description: 'A campaign finished sending' },
  ],
};

function webhook(overrides: Partial<Webhook> = {}): Webhook {
  return {
    id: 3,
    url: 'https://crm.acme.example/hooks/engagex',
    description: 'CRM sync',
    event_types: ['email.bounced', 'contact.unsubscribed'],
    enabled: true,
    created_at: '2026-11-01T10:00:00+00:00',
    updated_at: '2026-11-01T10:00:00+00:00',
    last_success_at: null,
    last_failure_at: null,
    ...overrides,
  };
}

function delivery(id: number, overrides: Partial<Delivery> = {}): Delivery {
  return {
    id,
    endpoint_id: 3,
    event_type: 'email.bounced',
    event_id: `evt_${id}`,
    status: 'succeeded',
    attempts: 1,
    response_status: 200,
    response_body: 'ok',
    error: null,
    duration_ms: 85,
    replay_of_id: null,
    created_at: '2026-11-20T10:00:00+00:00',
    last_attempt_at: '2026-11-20T10:00:01+00:00',
    delivered_at: '2026-11-20T10:00:01+00:00',
    payload: { id: `evt_${id}`, type: 'email.bounced', data: { email: 'ann@example.com', hard: true } },
    ...overrides,
  };
}

const renderSettings = () => renderScreen(<WebhooksSettings />, { base: '/settings', path: '/webhooks' });

describe('Webhooks settings', () => {
  it('creates an endpoint and shows its signing secret once', async () => {
    const user = userEvent.setup();
    let endpoints: Webhook[] = [];
    const { requests } = fakeApi({
      'GET /api/v1/webhooks': () => json(200, { items: endpoints, next_cursor: null }),
      'GET /api/v1/webhooks/event-types': json(200, EVENT_TYPES),
      'POST /api/v1/webhooks': (request) => {
        const body = request.body as { url: string };
        if (body.url.startsWith('http://')) {
          return json(422, errorBody('invalid_webhook_url', 'webhook URLs must use https', { field: 'url' }));
        }
        endpoints = [webhook({ event_types: ['*'] })];
        return json(201, { ...endpoints[0], secret: 'whsec_s3cr3t' });
      },
    });
    renderSettings();
    await user.click(await screen.findByRole('button', { name: 'Add endpoint' }));
    const dialog = screen.getByRole('dialog', { name: 'Add a webhook endpoint' });
    const url = within(dialog).getByLabelText('Endpoint URL');

    // Checked in the browser first: nothing is sent.
    await user.click(within(dialog).getByRole('button', { name: 'Add endpoint' }));
    expect(url.getAttribute('aria-invalid')).toBe('true');
    expect(document.activeElement).toBe(url);
    await user.click(within(dialog).getByRole('radio', { name: /Only the events I choose/ }));
    await user.type(url, 'http://crm.acme.example/hooks/engagex');
    await user.click(within(dialog).getByRole('button', { name: 'Add endpoint' }));
    expect(within(dialog).getByText('Choose at least one event, or send all of them.')).toBeTruthy();
    expect(requests.filter((request) => request.method === 'POST')).toHaveLength(0);

    // The server's refusal lands on its field.
    await user.click(within(dialog).getByRole('radio', { name: /All events/ }));
    await user.click(within(dialog).getByRole('button', { name: 'Add endpoint' }));
    await waitFor(() => expect(url.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(url.getAttribute('aria-describedby')!)?.textContent).toBe('Webhook URLs must use https.');

    await user.clear(url);
    await user.type(url, 'https://crm.acme.example/hooks/engagex');
    await user.type(within(dialog).getByLabelText(/Description/), 'CRM sync');
    await user.click(within(dialog).getByRole('button', { name: 'Add endpoint' }));

    const shown = await screen.findByRole('dialog', { name: 'Store your signing secret now' });
    expect((within(shown).getByTestId('webhook-secret') as HTMLInputElement).value).toBe('whsec_s3cr3t');
    expect(within(shown).getByRole('button', { name: 'Copy secret' })).toBeTruthy();
    expect(requests.filter((request) => request.method === 'POST').at(-1)!.body).toEqual({
      url: 'https://crm.acme.example/hooks/engagex',
      event_types: ['*'],
      description: 'CRM sync',
    });

    await user.click(within(shown).getByRole('button', { name: 'I have stored it' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(await screen.findByText('All events')).toBeTruthy();
    // Gone for good: nowhere on the page any more.
    expect(document.body.textContent).not.toContain('whsec_s3cr3t');
  });

  it('asks before deleting an endpoint', async () => {
    const user = userEvent.setup();
    let endpoints = [webhook()];
    const { requests } = fakeApi({
      'GET /api/v1/webhooks': () => json(200, { items: endpoints, next_cursor: null }),
      'DELETE /api/v1/webhooks/3': () => {
        endpoints = [];
        return json(204);
      },
    });
    renderSettings();
    await user.click(await screen.findByRole('button', { name: 'Actions for https://crm.acme.example/hooks/engagex' }));
    await user.click(screen.getByRole('menuitem', { name: 'Delete…' }));
    const confirm = screen.getByRole('alertdialog', { name: 'Delete this endpoint?' });
    expect(document.activeElement).toBe(within(confirm).getByRole('button', { name: 'Cancel' }));
    await user.click(within(confirm).getByRole('button', { name: 'Cancel' }));
    expect(requests.some((request) => request.method === 'DELETE')).toBe(false);

    await user.click(screen.getByRole('button', { name: 'Actions for https://crm.acme.example/hooks/engagex' }));
    await user.click(screen.getByRole('menuitem', { name: 'Delete…' }));
    await user.click(within(screen.getByRole('alertdialog')).getByRole('button', { name: 'Delete endpoint' }));
    expect(await screen.findByText('No endpoints yet')).toBeTruthy();
    expect(requests.filter((request) => request.method === 'DELETE').map((request) => request.path)).toEqual(['/api/v1/webhooks/3']);
  });

  it('lists deliveries with their outcome, payload and answer, and replays a failed one', async () => {
    const user = userEvent.setup();
    const { requests } = fakeApi({
      'GET /api/v1/webhooks': json(200, { items: [webhook({ last_failure_at: '2026-11-20T10:05:00+00:00' })], next_cursor: null }),
      'GET /api/v1/webhooks/3/deliveries': json(200, {
        items: [
          delivery(2, {
            status: 'failed',
            attempts: 7,
            response_status: 500,
            response_body: '<h1>Internal Server Error</h1>',
            error: 'the endpoint answered 500',
            duration_ms: 1204,
            delivered_at: null,
          }),
          delivery(1),
        ],
        next_cursor: null,
      }),
      'POST /api/v1/webhooks/deliveries/2/replay': json(202, delivery(4, { status: 'pending', replay_of_id: 2, attempts: 0 })),
    });
    renderSettings();
    await user.click(await screen.findByRole('button', { name: 'Delivery log' }));
    const log = await screen.findByRole('region', { name: 'Delivery log' });
    const items = await within(log).findAllByTestId('delivery');
    expect(items[0]!.textContent).toContain('Failed');
    expect(items[0]!.textContent).toContain('HTTP 500 · 1,204 ms · 7 attempts');
    expect(items[0]!.textContent).toContain('The endpoint answered 500.');
    expect(items[1]!.textContent).toContain('Delivered');
    expect(items[1]!.textContent).toContain('HTTP 200 · 85 ms · 1 attempt');
    expect(within(items[1]!).queryByRole('button', { name: 'Replay' })).toBeNull();

    const details = within(items[0]!).getByRole('button', { name: /^Details/ });
    expect(details.getAttribute('aria-expanded')).toBe('false');
    await user.click(details);
    expect(details.getAttribute('aria-expanded')).toBe('true');
    // The receiver's answer is text, never markup.
    const pres = items[0]!.querySelectorAll('pre');
    expect(JSON.parse(pres[0]!.textContent!)).toEqual(delivery(2).payload);
    expect(pres[1]!.textContent).toBe('<h1>Internal Server Error</h1>');
    expect(items[0]!.querySelector('h1')).toBeNull();

    await user.click(within(items[0]!).getByRole('button', { name: 'Replay' }));
    expect(await screen.findByText('Delivery queued again')).toBeTruthy();
    expect(requests.some((request) => request.method === 'POST' && request.path === '/api/v1/webhooks/deliveries/2/replay')).toBe(true);
  });
  it('pauses deliveries and rotates the secret after a confirmation', async () => {
    const user = userEvent.setup();
    const { requests } = fakeApi({
      'GET /api/v1/webhooks': json(200, { items: [webhook()], next_cursor: null }),
      'PATCH /api/v1/webhooks/3': (request) => json(200, webhook(request.body as Partial<Webhook>)),
      'POST /api/v1/webhooks/3/rotate-secret': json(200, { ...webhook(), secret: 'whsec_n3w' }),
    });
    renderSettings();
    const toggle = await screen.findByRole('switch', { name: 'Send events to https://crm.acme.example/hooks/engagex' });
    await user.click(toggle);
    await waitFor(() => expect(toggle.getAttribute('aria-checked')).toBe('false'));
    expect(screen.getByText('Paused')).toBeTruthy();
    expect(requests.find((request) => request.method === 'PATCH')!.body).toEqual({ enabled: false });

    await user.click(screen.getByRole('button', { name: 'Actions for https://crm.acme.example/hooks/engagex' }));
    await user.click(screen.getByRole('menuitem', { name: 'Rotate signing secret…' }));
    await user.click(within(screen.getByRole('alertdialog', { name: 'Rotate the signing secret?' })).getByRole('button', { name: 'Rotate secret' }));
    const shown = await screen.findByRole('dialog', { name: 'Your new signing secret' });
    expect((within(shown).getByTestId('webhook-secret') as HTMLInputElement).value).toBe('whsec_n3w');
    expect(within(shown).getByText(/previous secret also signs every delivery for the next 24 hours/)).toBeTruthy();
  });
});
