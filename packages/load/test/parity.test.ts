import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { k6ScenarioFile } from '../src/k6-runner';
import { metricNames } from '../src/measurement';
import { list, readScenarioFile, scaleScenario, scenarioOf, SCENARIO_NAMES } from '../src/scenarios';

/**
 * Parity between the k6 scripts and the built-in engine: k6/lib.js is executed for real (in a vm,
 * with k6's modules stubbed) and the options it hands k6 are compared with what the engine runs.
 */
const root = path.resolve(__dirname, '../../..');
const k6Dir = path.join(root, 'k6');

interface K6Lib {
  optionsFor(name: string): { scenarios: Record<string, unknown>; thresholds: unknown; summaryTrendStats: string[] };
  httpMix(): void;
  db(): void;
  cache(): void;
}

function loadLib(env: Record<string, string> = {}) {
  const requested: string[] = [];
  const added: Record<string, unknown[]> = {};
  class Metric {
    constructor(readonly name: string) {
      added[name] = [];
    }
    add(v: unknown) {
      added[this.name].push(v);
    }
  }
  const source = readFileSync(path.join(k6Dir, 'lib.js'), 'utf8')
    .replace(/^import .*$/gm, '')
    .replace(/^export function /gm, 'function ');
  const context = vm.createContext({
    __ENV: env,
    __ITER: 0,
    open: (p: string) => readFileSync(path.resolve(k6Dir, p), 'utf8'),
    http: { get: (url: string) => (requested.push(url), { status: 200, timings: { duration: 7 } }) },
    check: () => true,
    Rate: Metric,
    Trend: Metric,
  });
  const lib = vm.runInContext(`${source}\n;({ optionsFor, httpMix, db, cache })`, context) as K6Lib;
  return { lib, context, requested, added };
}

const file = readScenarioFile(root);

describe('k6 scripts and the built-in engine read one definition', () => {
  const { lib } = loadLib();

  it.each(SCENARIO_NAMES)('%s.js exports options = optionsFor("%s") and the exec function of its scenario', (name) => {
    const script = readFileSync(path.join(k6Dir, `${name}.js`), 'utf8');
    const exec = file.scenarios[name].exec;
    expect(script).toMatch(new RegExp(`export const options = optionsFor\\('${name}'\\);`));
    expect(script).toMatch(new RegExp(`export \\{ ${exec} \\} from './lib.js';`));
    // No numbers of its own: everything comes from scenarios.json.
    expect(script.replace(/^\/\/.*$/gm, '')).not.toMatch(/\b(vus|duration|stages|iterations|thresholds)\b/);
  });

  it.each(SCENARIO_NAMES)('k6 options for %s equal the engine definition, with p(99) exported', (name) => {
    const def = scenarioOf(file, name);
    const options = lib.optionsFor(name);
    expect(options.scenarios).toEqual({ [name]: def.scenario });
    // The scenario's thresholds, plus the same expressions on each route's submetric (per-route breakdown).
    const routes = def.scenario.exec === 'db' ? list(def.scenario.env!.TARGETS).map((t) => `/db/${t}`) : def.scenario.exec === 'cache' ? ['/cache/redis'] : list(def.scenario.env!.PATHS);
    const perRoute = Object.fromEntries(Object.entries(def.thresholds).flatMap(([metric, exprs]) => routes.map((r) => [`${metric}{name:${r}}`, exprs])));
    expect(options.thresholds).toEqual({ ...def.thresholds, ...perRoute });
    expect(options.summaryTrendStats).toEqual(expect.arrayContaining(['med', 'p(95)', 'p(99)', 'max']));
  });

  it('a scaled run hands k6 exactly the scenario the built-in engine runs (SCENARIO_FILE)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'parity-'));
    const scaled = scaleScenario(scenarioOf(file, 'ramp'), 0.1);
    writeFileSync(path.join(dir, 'scenarios.json'), JSON.stringify(k6ScenarioFile(scaled)));
    const { lib: scaledLib } = loadLib({ SCENARIO_FILE: path.join(dir, 'scenarios.json') });
    expect(scaledLib.optionsFor('ramp').scenarios).toEqual({ ramp: scaled.scenario });
  });

  it('every scenario file in k6/ is one of the five (capacity.js is the open-loop search, tested in k6-capacity.test.ts)', () => {
    const scripts = readdirSync(k6Dir).filter((f) => f.endsWith('.js') && f !== 'lib.js' && f !== 'capacity.js').map((f) => f.replace(/\.js$/, ''));
    expect(scripts.sort()).toEqual([...SCENARIO_NAMES].sort());
  });
});

describe('k6 exec functions feed the metrics the engine reports under the same names', () => {
  it('httpMix walks PATHS round robin, as autocannon cycles its request list', () => {
    const paths = list(file.scenarios.sustained.env?.PATHS);
    const { lib, context, requested } = loadLib({ PATHS: file.scenarios.sustained.env!.PATHS, API_URL: 'http://api' });
    for (let i = 0; i < paths.length * 2; i++) {
      context.__ITER = i;
      lib.httpMix();
    }
    expect(requested).toEqual([...paths, ...paths].map((p) => `http://api${p}`));
    expect(metricNames('httpMix')).toEqual({ latencyMetric: 'http_req_duration', failureMetric: 'http_req_failed' });
  });

  it.each(['db', 'cache'] as const)('%s records its latency trend and op_failed rate', (exec) => {
    const { lib, context, requested, added } = loadLib({ TARGETS: file.scenarios[exec].env!.TARGETS, API_URL: 'http://api' });
    const targets = list(file.scenarios[exec].env!.TARGETS);
    for (let i = 0; i < targets.length; i++) {
      context.__ITER = i;
      lib[exec]();
    }
    const names = metricNames(exec);
    expect(added[names.latencyMetric]).toEqual(targets.map(() => 7));
    expect(added[names.failureMetric]).toEqual(targets.map(() => false));
    expect(requested).toEqual(exec === 'db' ? targets.map((t) => `http://api/db/${t}`) : ['http://api/cache/redis']);
  });
});
