export * from './policy';
export * from './plan';
export * from './routes';
export * from './topology';
export * from './launcher';
