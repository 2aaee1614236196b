import { describe, expect, it } from 'vitest';
import { campaign } from '../fixtures.ts';
import { parseAddresses } from '../../../lib/addresses.ts';
import { changesOf, draftOf, settingsProblems, toggled } from './draft.ts';

describe('the wizard’s draft', () => {
  it('sends only what changed, the way the API stores it', () => {
    const saved = campaign({ subject: null, reply_to: null, seed_emails: ['qa@acme.test'] });
    const draft = draftOf(saved);
    expect(changesOf(draft, saved)).toEqual({});

    expect(
      changesOf(
        {
          ...draft,
          name: '  Spring sale (final) ',
          subject: '  ',
          from_email: 'News@ACME.test',
          reply_to: 'help@acme.test',
          group_ids: [1, 2],
          seeds: 'qa@acme.test, Boss@acme.test\nqa@acme.test',
          track_clicks: false,
        },
        saved,
      ),
    ).toEqual({
      name: 'Spring sale (final)',
      reply_to: 'help@acme.test',
      group_ids: [1, 2],
      seed_emails: ['qa@acme.test', 'boss@acme.test'],
      track_clicks: false,
    });
    // An emptied field goes back to the template's value (null); an emptied name is not sent.
    expect(changesOf({ ...draft, from_name: '', name: ' ' }, saved)).toEqual({ from_name: null });
  });

  it('finds what must be fixed before saving', () => {
    const draft = draftOf(campaign());
    expect(settingsProblems(draft)).toEqual({});
    expect(settingsProblems({ ...draft, name: '', from_email: 'news', seeds: 'a@b.test nope' })).toEqual({
      name: 'Give the campaign a name.',
      from_email: '“news” is not an email address.',
      seed_emails: '“nope” is not an email address.',
    });
    const many = Array.from({ length: 51 }, (_, index) => `s${index}@acme.test`).join('\n');
    expect(settingsProblems({ ...draft, seeds: many }).seed_emails).toBe('A seed list has at most 50 addresses; 51 are listed.');
  });

  it('reads addresses typed in any common way', () => {
    expect(parseAddresses(' a@x.test;b@x.test\n\nA@x.test , c@x.test ')).toEqual(['a@x.test', 'b@x.test', 'c@x.test']);
    expect(toggled([1, 2], 2)).toEqual([1]);
    expect(toggled([1], 3)).toEqual([1, 3]);
  });
});
