import { APPROLE_SERVICES } from '@devstack/core';
import { checkOf, ownReads, roleCases, serviceCases, suiteCases, verdictOf, type Observation, type SecurityCase } from '../src';

const denied: Observation = { status: 403, errors: ['permission denied'], detail: '403 permission denied' };
const leaked: Observation = { status: 200, errors: [], detail: "200: mysql's secret readable", facts: { leaked: true } };
const crossRead = serviceCases('postgres').find((c) => c.id === 'postgres: cross-service read of mysql denied') as SecurityCase;

describe('verdictOf', () => {
  test('the refusal with the exact text passes', () => {
    expect(verdictOf(crossRead, denied)).toBe('passed');
  });

  test('a read that succeeds is a finding', () => {
    expect(verdictOf(crossRead, leaked)).toBe('finding');
  });

  test('a 403 with another message is not a pass: the refusal text is part of the requirement', () => {
    expect(verdictOf(crossRead, { status: 403, errors: ['forbidden'], detail: '' })).toBe('finding');
  });

  test('a sealed server (503) or a missing secret (404) is not a refusal', () => {
    expect(verdictOf(crossRead, { status: 503, errors: ['Vault is sealed'], detail: '' })).toBe('finding');
    expect(verdictOf(crossRead, { status: 404, errors: [], detail: '' })).toBe('finding');
  });
});

describe('checkOf', () => {
  test('findings and failures fail the check and say so', () => {
    const base = { id: 'x', service: 'postgres', requirement: '403', observed: '200', durationMs: 1 };
    expect(checkOf({ ...base, verdict: 'finding' })).toMatchObject({ passed: false, detail: expect.stringMatching(/^SECURITY FINDING/) });
    expect(checkOf({ ...base, verdict: 'failed' })).toMatchObject({ passed: false });
    expect(checkOf({ ...base, verdict: 'passed' })).toMatchObject({ passed: true });
  });
});

describe('case catalogue', () => {
  test('every ordered pair of the five services has a cross-read case (20 pairs)', () => {
    const cross = suiteCases().filter((c) => c.id.includes('cross-service read')).map((c) => c.id);
    const pairs = APPROLE_SERVICES.flatMap((a) => APPROLE_SERVICES.filter((b) => b !== a).map((b) => `${a}: cross-service read of ${b} denied`));
    expect(pairs).toHaveLength(20);
    expect([...cross].sort()).toEqual([...pairs].sort());
  });

  test('the api reads its grants under its own path, the databases their own secret', () => {
    expect(ownReads('api')).toEqual(['api/postgres', 'api/mysql', 'api/mongodb', 'api/redis']);
    expect(ownReads('mysql')).toEqual(['mysql']);
  });

  test('counts per service and in total, ids unique', () => {
    const counts = Object.fromEntries(APPROLE_SERVICES.map((s) => [s, serviceCases(s).length]));
    expect(counts).toEqual({ postgres: 16, mysql: 16, mongodb: 16, redis: 16, api: 16 });
    const total = 16 * 5 + roleCases().length;
    expect(suiteCases()).toHaveLength(total);
    expect(new Set(suiteCases().map((c) => c.id)).size).toBe(total);
  });
});
