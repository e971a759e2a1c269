// Runs every tests/e2e/run-*.mjs in turn, passing their output through, and ends with one
// summary line "N passed, N failed" counted from their PASS/FAIL lines.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const scripts = fs
  .readdirSync(here)
  .filter((f) => /^run-.+\.mjs$/.test(f) && f !== 'run-all.mjs')
  .sort();

let passed = 0;
let failed = 0;
for (const script of scripts) {
  console.log(`== ${script}`);
  const child = spawn(process.execPath, [path.join(here, script)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let sawFail = false;
  child.stdout.setEncoding('utf8');
  let buffered = '';
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop();
    for (const line of lines) {
      if (line.startsWith('PASS ')) passed++;
      if (line.startsWith('FAIL ')) {
        failed++;
        sawFail = true;
      }
    }
  });
  const code = await new Promise((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  if (code !== 0 && !sawFail) {
    failed++;
    console.log(`FAIL ${script}: exited with ${code}`);
  }
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
