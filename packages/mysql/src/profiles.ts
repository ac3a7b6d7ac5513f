import { MY_CNF, parseProfileFile, ProfileCatalog, type ProfileSetting } from '@devstack/core';
import { autoProfile } from './auto-profile';

export { PROFILE_NAMES, thisMachine, type ResolvedProfile } from '@devstack/core';

/** my.cnf accepts dashes or underscores; SHOW VARIABLES names use underscores. */
function parseSettings(text: string): ProfileSetting[] {
  return parseProfileFile(text, MY_CNF).map((s) => ({ ...s, name: s.name.replace(/-/g, '_') }));
}

/** MariaDB's profiles: configs/mysql/<name>.cnf ([mysqld] section), and `auto` from the MySQLTuner-style formula. */
export const { autoProfilePath, renderAutoProfile, resolveProfile, availableProfiles, activeProfile } = new ProfileCatalog({
  service: 'mysql',
  ext: 'cnf',
  serverName: 'MariaDB',
  fileHint: 'Give the path of a my.cnf fragment with a [mysqld] section.',
  parse: parseSettings,
}).profileSet({ auto: autoProfile, section: 'mysqld' });
