// Where things are in the repository, for every e2e script.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const chorusdBinary = process.env.CHORUSD_BIN ?? path.join(repoRoot, 'build', 'chorusd');
export const guiDist = path.join(repoRoot, 'core', 'gui', 'dist');
/** Screenshots and other artifacts (git-ignored). */
export const outDir = path.join(repoRoot, 'tests', 'e2e', 'out');

/** Creates and returns a fresh temporary directory. */
export function makeTempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}
