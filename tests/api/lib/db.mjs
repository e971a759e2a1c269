// Direct access to a test server's database through the sqlite3 and psql command-line clients,
// so tests can check what was (not) written without going through chorusd.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

const kClientTimeoutMs = 15_000;
const kSeparator = '\x1f'; // between columns in the clients' output (unit separator)

function psql(url, sql) {
  return execFileSync(
    'psql',
    [url, '-X', '-q', '-At', '-F', kSeparator, '-v', 'ON_ERROR_STOP=1', '-c', sql],
    {
      encoding: 'utf8',
      timeout: kClientTimeoutMs,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** Replaces the database name (the URL's path) of a postgres:// URL. */
function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

let created = 0;

/**
 * A database for one chorusd: `kind` ('sqlite' | 'postgres'), `url` (what --database-url
 * gets), `query(sql)` → array of rows (arrays of strings), `scalar(sql)` → first cell as a string,
 * `count(table, where)` → number, and `drop()` (Postgres: drops the database; SQLite: nothing,
 * the file goes with the temp dir).
 */
export class TestDatabase {
  constructor(kind, url, { adminUrl = null, name = null, file = null } = {}) {
    this.kind = kind;
    this.url = url;
    this.adminUrl = adminUrl;
    this.name = name;
    this.file = file;
  }

  /** SQLite at <dataDir>/chorus.db. */
  static sqlite(dataDir) {
    const file = path.join(dataDir, 'chorus.db');
    return new TestDatabase('sqlite', `sqlite:${file}`, { file });
  }

  /**
   * Creates a fresh Postgres database on the server of `baseUrl` (CHORUS_TEST_POSTGRES_URL),
   * named chorus_t_<pid>_<n>_<time>, and returns it.
   */
  static postgres(baseUrl) {
    created += 1;
    const name = `chorus_t_${process.pid}_${created}_${Date.now().toString(36)}`;
    const adminUrl = withDatabase(baseUrl, 'postgres');
    psql(adminUrl, `CREATE DATABASE ${name}`);
    return new TestDatabase('postgres', withDatabase(baseUrl, name), { adminUrl, name });
  }

  /** Picks Postgres when CHORUS_TEST_POSTGRES_URL is set, else SQLite under dataDir. */
  static forTest(dataDir) {
    const pg = process.env.CHORUS_TEST_POSTGRES_URL;
    return pg ? TestDatabase.postgres(pg) : TestDatabase.sqlite(dataDir);
  }

  /** Runs one SQL statement and returns its rows as arrays of strings. */
  query(sql) {
    let out;
    if (this.kind === 'sqlite') {
      out = execFileSync(
        'sqlite3',
        ['-batch', '-separator', kSeparator, '-cmd', '.timeout 5000', this.file, sql],
        {
          encoding: 'utf8',
          timeout: kClientTimeoutMs,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
    } else {
      out = psql(this.url, sql);
    }
    return out
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => line.split(kSeparator));
  }

  /** Returns the first column of the first row, or null when there is no row. */
  scalar(sql) {
    const rows = this.query(sql);
    return rows.length ? rows[0][0] : null;
  }

  /** Returns SELECT count(*) FROM table [WHERE where] as a number. */
  count(table, where = '') {
    return Number(this.scalar(`SELECT count(*) FROM ${table}${where ? ` WHERE ${where}` : ''}`));
  }

  /** Drops a Postgres database made by postgres(); errors are ignored (best effort). */
  drop() {
    if (this.kind !== 'postgres' || !this.name) return;
    try {
      psql(this.adminUrl, `DROP DATABASE IF EXISTS ${this.name} WITH (FORCE)`);
    } catch {
      // The cluster may already be gone at the end of a run.
    }
  }
}
