import type { MysqlSession } from './connection';
import { withConnection } from './connection';

/** Effective values from SHOW GLOBAL VARIABLES (sizes in bytes); unknown names are absent and fail the read-back. */
export async function readVariables(session: MysqlSession, names: string[]): Promise<Record<string, string>> {
  if (names.length === 0) return {};
  return withConnection(session, async (c) => {
    const [rows] = await c.query('SHOW GLOBAL VARIABLES WHERE Variable_name IN (?)', [names]);
    return Object.fromEntries((rows as { Variable_name: string; Value: string }[]).map((r) => [r.Variable_name, String(r.Value)]));
  });
}
