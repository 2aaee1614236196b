import { describe, expect, it } from 'vitest';
import type { DnsRecord } from '../../api/domains.ts';
import { combinedStatus, countRecords, groupRecords, groupTip, hostLabel, spfMechanisms, zoneFile } from './records.ts';

function record(purpose: string, name: string, value: string, status: DnsRecord['status'] = 'pending', type: DnsRecord['type'] = 'TXT'): DnsRecord {
  return { purpose: purpose as DnsRecord['purpose'], type, name, value, status, detail: 'not checked yet' };
}

const SENDGRID: DnsRecord[] = [
  record('ownership', '_engagex.acme.example', 'engagex-verification=abc', 'verified'),
  record('spf', 'acme.example', 'v=spf1 include:sendgrid.net ~all', 'failed'),
  record('dkim', 's1._domainkey.acme.example', 's1.domainkey.sendgrid.net', 'verified', 'CNAME'),
  record('dkim', 's2._domainkey.acme.example', 's2.domainkey.sendgrid.net', 'pending', 'CNAME'),
  record('dmarc', '_dmarc.acme.example', 'v=DMARC1; p=none; adkim=r; aspf=r', 'verified'),
];

describe('groupRecords', () => {
  it('groups by purpose in paste order, keeping the records of a purpose together', () => {
    const shuffled = [SENDGRID[4]!, SENDGRID[2]!, SENDGRID[1]!, SENDGRID[3]!, SENDGRID[0]!];
    const groups = groupRecords(shuffled);
    expect(groups.map((group) => group.purpose)).toEqual(['ownership', 'spf', 'dkim', 'dmarc']);
    expect(groups.map((group) => group.info.title)).toEqual(['Ownership', 'SPF', 'DKIM', 'DMARC']);
    expect(groups[2]!.records.map((r) => r.name)).toEqual(['s1._domainkey.acme.example', 's2._domainkey.acme.example']);
    // Every group explains itself in one line.
    for (const group of groups) expect(group.info.summary).toMatch(/^[A-Z].+\.$/);
  });

  it('gives each group the status of its records: any failure fails, all found verifies', () => {
    const groups = groupRecords(SENDGRID);
    expect(groups.map((group) => group.status)).toEqual(['verified', 'failed', 'pending', 'verified']);
    expect(combinedStatus([])).toBe('pending');
    expect(combinedStatus([record('dkim', 'a', 'b', 'pending'), record('dkim', 'c', 'd', 'failed')])).toBe('failed');
  });

  it('keeps a purpose it does not know, after the known ones', () => {
    const groups = groupRecords([record('bimi', 'default._bimi.acme.example', 'v=BIMI1;'), SENDGRID[0]!]);
    expect(groups.map((group) => [group.purpose, group.info.title])).toEqual([
      ['ownership', 'Ownership'],
      ['bimi', 'BIMI'],
    ]);
  });

  it('counts records by outcome', () => {
    expect(countRecords(SENDGRID)).toEqual({ total: 5, verified: 3, failed: 1, pending: 1 });
  });
});

describe('hostLabel', () => {
  it('makes names relative to the domain, as DNS hosts ask for them', () => {
    expect(hostLabel('_engagex.acme.example', 'acme.example')).toBe('_engagex');
    expect(hostLabel('egx1._domainkey.mail.acme.example', 'mail.acme.example')).toBe('egx1._domainkey');
    expect(hostLabel('acme.example', 'acme.example')).toBe('@');
    expect(hostLabel('Acme.Example.', 'acme.example')).toBe('@');
    // Not inside the domain (a lookalike suffix is not a subdomain): the full name.
    expect(hostLabel('_dmarc.notacme.example', 'acme.example')).toBe('_dmarc.notacme.example');
  });
});

describe('spfMechanisms and groupTip', () => {
  it('extracts what to merge into an existing SPF record', () => {
    expect(spfMechanisms('v=spf1 include:sendgrid.net ~all')).toBe('include:sendgrid.net');
    expect(spfMechanisms('v=spf1 ip4:192.0.2.1 a:mx.example -all')).toBe('ip4:192.0.2.1 a:mx.example');
    expect(groupTip({ purpose: 'spf', records: [SENDGRID[1]!] })).toContain('add include:sendgrid.net to it');
  });

  it('warns about proxied CNAMEs for SendGrid and long values for an own key', () => {
    expect(groupTip({ purpose: 'dkim', records: [SENDGRID[2]!] })).toMatch(/proxying/);
    expect(groupTip({ purpose: 'dkim', records: [record('dkim', 'egx1._domainkey.a.example', 'v=DKIM1; k=rsa; p=MII')] })).toMatch(/paste all of it/);
    expect(groupTip({ purpose: 'ownership', records: [SENDGRID[0]!] })).toBeNull();
  });
});

describe('zoneFile', () => {
  it('writes zone-file lines: quoted TXT, CNAME targets with a final dot', () => {
    expect(zoneFile(SENDGRID.slice(0, 3)).split('\n')).toEqual([
      '_engagex.acme.example. 3600 IN TXT "engagex-verification=abc"',
      'acme.example. 3600 IN TXT "v=spf1 include:sendgrid.net ~all"',
      's1._domainkey.acme.example. 3600 IN CNAME s1.domainkey.sendgrid.net.',
    ]);
  });

  it('splits long TXT values into 255-character strings and escapes quotes', () => {
    const key = `v=DKIM1; k=rsa; p=${'A'.repeat(390)}`;
    const [line] = zoneFile([record('dkim', 'egx1._domainkey.acme.example', key)], 300).split('\n');
    const strings = [...line!.matchAll(/"([^"]*)"/g)].map((match) => match[1]!);
    expect(line!.startsWith('egx1._domainkey.acme.example. 300 IN TXT "')).toBe(true);
    expect(strings.map((part) => part.length)).toEqual([255, key.length - 255]);
    expect(strings.join('')).toBe(key);
    expect(zoneFile([record('x', 'a.example', 'say "hi"\\')])).toBe('a.example. 3600 IN TXT "say \\"hi\\"\\\\"');
  });
});
