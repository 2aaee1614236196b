import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Campaign, CampaignInput } from '../../../api/campaigns.ts';
import { errorBody, fakeApi, json } from '../../../test/http.ts';
import { ORG } from '../../../test/session.ts';
import { GROUPS, TEMPLATES, campaign, progress, review } from '../fixtures.ts';
import { renderCampaigns } from '../testing.tsx';

const TEMPLATE = { ...TEMPLATES.items[0]!, preheader: null, html: '<p>Hi</p>', mjml: null, text: null, from_name: null, from_email: null, reply_to: null, variables: [] };

function wizardApi(initial: Campaign = campaign({ group_ids: [], template_id: null, from_email: null, from_name: null })) {
  let state = initial;
  const api = fakeApi({
    'POST /api/v1/campaigns': (request) => {
      state = { ...state, name: (request.body as { name: string }).name };
      return json(201, state);
    },
    'GET /api/v1/campaigns/12': () => json(200, state),
    'PATCH /api/v1/campaigns/12': (request) => {
      const body = request.body as CampaignInput;
      // The server stores addresses lower-cased.
      const from = body.from_email === undefined ? {} : { from_email: body.from_email?.toLowerCase() ?? null };
      state = { ...state, ...body, ...from } as Campaign;
      return json(200, state);
    },
    'GET /api/v1/campaigns/12/stats': () => json(200, progress({ status: 'draft', audience: state.group_ids.includes(1) ? 1400 : 0 })),
    'GET /api/v1/campaigns/12/review': json(200, review()),
    'GET /api/v1/groups': json(200, GROUPS),
    'GET /api/v1/segments': json(200, { items: [], next_cursor: null }),
    'GET /api/v1/templates': json(200, TEMPLATES),
    'GET /api/v1/templates/3': json(200, TEMPLATE),
    'GET /api/v1/organization': json(200, { ...ORG, default_from_email: 'hello@acme.test' }),
    'GET /api/v1/domains': json(200, { items: [], next_cursor: null }),
  });
  const patches = () => api.requests.filter((request) => request.method === 'PATCH').map((request) => request.body);
  return { ...api, patches };
}

describe('Campaign wizard', () => {
  it('creates a draft and saves each step on the way to the review', async () => {
    const user = userEvent.setup();
    const { patches, requests } = wizardApi();
    const { location } = renderCampaigns('/new');

    await user.click(await screen.findByRole('button', { name: 'Create campaign' }));
    expect(screen.getByText('Give the campaign a name.')).toBeTruthy();
    await user.type(screen.getByLabelText('Campaign name'), 'Spring sale');
    await user.click(screen.getByRole('button', { name: 'Create campaign' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Audience' })).toBeTruthy();
    expect(location.history?.at(-1)).toBe('/campaigns/12/edit');
    expect(requests.find((request) => request.method === 'POST')!.body).toEqual({ name: 'Spring sale' });

    // A choice is saved at once, and the recipients are counted by the server.
    const sendTo = await screen.findByRole('group', { name: 'Send to' });
    await user.click(await within(sendTo).findByRole('checkbox', { name: 'Newsletter' }));
    await waitFor(() => expect(screen.getByTestId('audience-count').textContent).toContain('1,400 recipients right now'));
    expect(patches()).toEqual([{ group_ids: [1] }]);
    // Leaving a group out takes it out of the audience.
    await user.click(within(screen.getByRole('group', { name: 'Leave out' })).getByRole('checkbox', { name: 'Newsletter' }));
    await waitFor(() => expect(patches()).toHaveLength(2));
    expect(patches()[1]).toEqual({ exclude_group_ids: [1], group_ids: [] });
    await user.click(within(sendTo).getByRole('checkbox', { name: 'Newsletter' }));
    await waitFor(() => expect(patches()).toHaveLength(3));

    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Template' })).toBeTruthy();
    expect(location.history?.at(-1)).toBe('/campaigns/12/edit/template');
    await user.click(await screen.findByRole('radio', { name: /Spring news/ }));
    await waitFor(() => expect(patches().at(-1)).toEqual({ template_id: 3 }));

    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Settings' })).toBeTruthy();
    const from = screen.getByLabelText(/^From address/);
    expect(from.getAttribute('placeholder')).toBe('hello@acme.test');
    await user.type(from, 'news');
    await user.click(screen.getByRole('button', { name: 'Next' }));
    // Not saved, not left: the address must be fixed first.
    expect(await screen.findByText('“news” is not an email address.')).toBeTruthy();
    expect(from.getAttribute('aria-invalid')).toBe('true');
    expect(location.history?.at(-1)).toBe('/campaigns/12/edit/settings');
    const before = patches().length;

    await user.clear(from);
    await user.type(from, 'News@Acme.test');
    await user.type(screen.getByLabelText(/^Subject/), 'Big sale');
    await user.click(screen.getByRole('switch', { name: 'Track clicks' }));
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Review' })).toBeTruthy();
    expect(patches().slice(before)).toEqual([{ subject: 'Big sale', from_email: 'news@acme.test', track_clicks: false }]);
    expect(await screen.findByText('Ready to send')).toBeTruthy();

    // Going back and forth without changes saves nothing more.
    await user.click(screen.getByRole('button', { name: 'Back' }));
    await screen.findByRole('heading', { level: 2, name: 'Settings' });
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByRole('heading', { level: 2, name: 'Review' });
    expect(patches().slice(before)).toHaveLength(1);
  });

  it('says when a change was not saved', async () => {
    const user = userEvent.setup();
    const api = wizardApi();
    const original = api.fetchMock.getMockImplementation()!;
    api.fetchMock.mockImplementation(async (input, init) =>
      init?.method === 'PATCH'
        ? new Response(JSON.stringify(errorBody('campaign_not_editable', 'a sending campaign cannot be changed (only renamed); duplicate it')), { status: 409 })
        : original(input, init),
    );
    renderCampaigns('/12/edit');
    const sendTo = await screen.findByRole('group', { name: 'Send to' });
    await user.click(await within(sendTo).findByRole('checkbox', { name: 'Customers' }));
    const alert = await screen.findByText('Your last change was not saved');
    expect(alert.closest('[role="alert"]')!.textContent).toContain('A sending campaign cannot be changed (only renamed); duplicate it.');
  });

  it('shows a draft read-only to an analyst', async () => {
    const user = userEvent.setup();
    const { patches } = wizardApi(campaign());
    renderCampaigns('/12/edit/settings', { role: 'analyst' });
    expect(await screen.findByText('You can look through this draft. Changing it needs the Editor role or higher.')).toBeTruthy();
    const name = await screen.findByLabelText('Campaign name');
    expect(name.closest('fieldset')!.hasAttribute('disabled')).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    expect(await screen.findByRole('heading', { level: 2, name: 'Review' })).toBeTruthy();
    expect(patches()).toEqual([]);
  });
});
