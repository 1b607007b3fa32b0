// Jest reads `testTimeout` from the global config only, so a project sets its own here.
// Real Postgres, Redis and processes on a 2-core machine shared by parallel suites: seconds, not
// milliseconds.
jest.setTimeout(30_000);
