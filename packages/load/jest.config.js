module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'load',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/suites/**/*.suite.ts'],
  testTimeout: 180000,
};
