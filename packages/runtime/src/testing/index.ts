// @devstack/runtime/testing: the live-suite factories shared by the backends (jest globals; never bundled
// into dist). A backend's suite file stays in its package and passes only what is its own: names,
// settings, the server's refusals, how to read its state.
export * from './files';
export * from './profile-tune-suite';
export * from './db-bench-suite';
export * from './ab-regress-suite';
export * from './backend-cli-suite';
