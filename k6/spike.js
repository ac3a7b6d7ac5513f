// k6 run k6/spike.js  (numbers: scenarios.json "spike"; see k6/README.md)
import { optionsFor } from './lib.js';

export { httpMix } from './lib.js';
export const options = optionsFor('spike');
