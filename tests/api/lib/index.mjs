// The API test harness in one import: servers, HTTP clients, database checks, waits.
export * from './server.mjs';
export * from './http.mjs';
export * from './db.mjs';
export * from './redis.mjs';
export * from './wait.mjs';
