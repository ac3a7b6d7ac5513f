// k6 run k6/cache.js  (numbers: scenarios.json "cache"; see k6/README.md)
import { optionsFor } from './lib.js';

export { cache } from './lib.js';
export const options = optionsFor('cache');
