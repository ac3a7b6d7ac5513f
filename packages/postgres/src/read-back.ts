import type { PgSession } from './connection';
import { withClient } from './connection';

/**
 * Effective values as the server reports them (what SHOW prints, e.g. "512MB"), by setting name.
 * Names the server does not know are absent, so they fail the read-back.
 */
export async function readSettings(session: PgSession, names: string[]): Promise<Record<string, string>> {
  if (names.length === 0) return {};
  return withClient(session, async (c) => {
    const { rows } = await c.query<{ name: string; value: string }>('SELECT name, current_setting(name) AS value FROM pg_settings WHERE name = ANY($1::text[])', [names]);
    return Object.fromEntries(rows.map((r) => [r.name, r.value]));
  });
}
