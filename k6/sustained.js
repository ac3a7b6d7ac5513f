// k6 run k6/sustained.js  (numbers: scenarios.json "sustained"; see k6/README.md)
import { optionsFor } from './lib.js';

export { httpMix } from './lib.js';
export const options = optionsFor('sustained');
