module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'report',
  rootDir: __dirname,
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/suites/**/*.suite.ts'],
  testTimeout: 180000,
  collectCoverageFrom: ['<rootDir>/src/**/*.ts'],
};
