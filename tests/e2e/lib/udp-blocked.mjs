// A client whose network blocks UDP, next to ordinary clients in the same test namespace: its
// browser runs with a group id of its own, and one iptables rule in the namespace drops every UDP
// datagram that group's sockets send (xt_owner). Other processes are untouched.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { kChromiumPath } from './browser.mjs';
import { currentNetns } from './netns.mjs';

/** The group id of the UDP-blocked browser (only this test namespace's rule refers to it). */
export const kUdpBlockedGid = 47_001;

/**
 * Writes `<dir>/chromium-udp-blocked`, a wrapper that runs Chromium with group kUdpBlockedGid
 * (for launchChromium's executablePath); returns its path.
 */
export function udpBlockedChromium(dir) {
  const wrapper = path.join(dir, 'chromium-udp-blocked');
  fs.writeFileSync(
    wrapper,
    `#!/bin/sh\nexec setpriv --regid=${kUdpBlockedGid} --clear-groups -- ${kChromiumPath} "$@"\n`,
    { mode: 0o755 },
  );
  return wrapper;
}

/**
 * Adds the rule dropping UDP from kUdpBlockedGid's sockets to this test namespace's OUTPUT chain.
 * Returns { droppedPackets(), remove() }: the rule's packet counter, and deleting the rule.
 */
export function blockUdpOfGroup() {
  // Only this namespace's rules: they vanish with it. Never touch another namespace's.
  if (!currentNetns()?.startsWith('chorus-e2e-')) throw new Error('not in a test namespace');
  const rule = ['OUTPUT', '-p', 'udp', '-m', 'owner', '--gid-owner', String(kUdpBlockedGid)];
  execFileSync('iptables', ['-w', '-A', ...rule, '-j', 'DROP']);
  let removed = false;
  return {
    droppedPackets() {
      const listing = execFileSync('iptables', ['-w', '-L', 'OUTPUT', '-v', '-x', '-n'], {
        encoding: 'utf8',
      });
      const line = listing
        .split('\n')
        .find((l) => / DROP /.test(l) && l.includes(`owner GID match ${kUdpBlockedGid}`));
      if (!line) throw new Error(`no DROP rule for group ${kUdpBlockedGid}:\n${listing}`);
      return Number(line.trim().split(/\s+/)[0]);
    },
    remove() {
      if (removed) return;
      removed = true;
      execFileSync('iptables', ['-w', '-D', ...rule, '-j', 'DROP']);
    },
  };
}
