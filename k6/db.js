// k6 run k6/db.js  (numbers: scenarios.json "db"; see k6/README.md)
import { optionsFor } from './lib.js';

export { db } from './lib.js';
export const options = optionsFor('db');
