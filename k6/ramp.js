// k6 run k6/ramp.js  (numbers: scenarios.json "ramp"; see k6/README.md)
import { optionsFor } from './lib.js';

export { httpMix } from './lib.js';
export const options = optionsFor('ramp');
