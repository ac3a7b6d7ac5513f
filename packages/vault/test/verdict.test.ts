import { APPROLE_SERVICES } from '@devstack/core';
import { checkOf, serviceCases, suiteCases, verdictOf, type Observation, type SecurityCase } from '../src';

const denied: Observation = { status: 403, errors: ['permission denied'], detail: '403 permission denied' };
const leaked: Observation = { status: 200, errors: [], detail: "200: mysql's password readable", facts: { leaked: true } };
const crossRead = serviceCases('postgres').find((c) => c.id === 'postgres: cross-service read of mysql denied') as SecurityCase;

describe('verdictOf', () => {
  test('a secure answer passes, whatever the server', () => {
    expect(verdictOf(crossRead, denied, { knownGaps: [] })).toEqual({ verdict: 'passed' });
    expect(verdictOf(crossRead, denied, { knownGaps: ['no-policy-api'] })).toEqual({ verdict: 'passed' });
  });

  test('the known gap of this server is a failing security finding, with its reason', () => {
    expect(verdictOf(crossRead, leaked, { knownGaps: ['no-policy-api'] })).toEqual({ verdict: 'finding', reason: 'no-policy-api' });
  });

  test('the same answer on a server without that gap is a plain failure', () => {
    expect(verdictOf(crossRead, leaked, { knownGaps: [] })).toEqual({ verdict: 'failed' });
  });

  test('behaviour that matches neither the requirement nor the gap fails', () => {
    const odd: Observation = { status: 500, errors: ['internal error'], detail: '500' };
    expect(verdictOf(crossRead, odd, { knownGaps: ['no-policy-api'] })).toEqual({ verdict: 'failed' });
  });

  test('a 403 with another message is not a pass: the refusal text is part of the requirement', () => {
    expect(verdictOf(crossRead, { status: 403, errors: ['forbidden'], detail: '' }, { knownGaps: [] })).toEqual({ verdict: 'failed' });
  });

  test('cases declared skip-on-gap are skipped, never passed', () => {
    const lookup = serviceCases('redis').find((c) => c.id.startsWith('redis: token lookup'))!;
    const o: Observation = { status: 200, errors: [], detail: '', facts: { policies: [] } };
    expect(verdictOf(lookup, o, { knownGaps: ['token-entry-without-policies'] })).toEqual({ verdict: 'skipped', reason: 'token-entry-without-policies' });
  });
});

describe('checkOf', () => {
  test('findings fail the check and say so; skips are marked skipped', () => {
    const base = { id: 'x', service: 'postgres', requirement: '403', observed: '200', durationMs: 1 };
    expect(checkOf({ ...base, verdict: 'finding', reason: 'no-policy-api' })).toMatchObject({ passed: false, detail: expect.stringMatching(/^SECURITY FINDING: no-policy-api/) });
    expect(checkOf({ ...base, verdict: 'skipped', reason: 'token-entry-without-policies' })).toMatchObject({ passed: false, skipped: true });
    expect(checkOf({ ...base, verdict: 'passed' })).toMatchObject({ passed: true });
  });
});

describe('case catalogue', () => {
  test('every ordered pair of services with a secret the reader may not read has a cross-read case', () => {
    const ids = suiteCases().map((c) => c.id);
    const cross = ids.filter((id) => id.includes('cross-service read'));
    // 4 database services x 3 others; the api legitimately reads all four.
    expect(cross).toHaveLength(12);
    expect(cross).toContain('mysql: cross-service read of postgres denied');
    expect(cross.some((id) => id.startsWith('api:'))).toBe(false);
  });

  test('counts per service and in total', () => {
    const counts = Object.fromEntries(APPROLE_SERVICES.map((s) => [s, serviceCases(s).length]));
    expect(counts).toEqual({ postgres: 15, mysql: 15, mongodb: 15, redis: 15, api: 12 });
    expect(suiteCases()).toHaveLength(76);
    expect(new Set(suiteCases().map((c) => c.id)).size).toBe(76);
  });

  test('every case that can hit a known gap declares the exact gap behaviour', () => {
    for (const c of suiteCases()) if (c.gap) expect({ id: c.id, hasGapBehaviour: typeof c.gapBehaviour, onGap: c.onGap }).toEqual({ id: c.id, hasGapBehaviour: 'function', onGap: expect.stringMatching(/^(finding|skipped)$/) });
  });
});
