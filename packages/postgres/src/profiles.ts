import { parseProfileFile, POSTGRESQL_CONF, ProfileCatalog } from '@devstack/core';
import { autoProfile } from './auto-profile';

export { PROFILE_NAMES, thisMachine, type ResolvedProfile } from '@devstack/core';

/** PostgreSQL's profiles: configs/postgres/<name>.conf, and `auto` from the PGTune-style formula. */
export const { autoProfilePath, renderAutoProfile, resolveProfile, availableProfiles, activeProfile } = new ProfileCatalog({
  service: 'postgres',
  ext: 'conf',
  serverName: 'PostgreSQL',
  fileHint: 'Give the path of a postgresql.conf fragment.',
  parse: (text) => parseProfileFile(text, POSTGRESQL_CONF),
}).profileSet({ auto: autoProfile });
