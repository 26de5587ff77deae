/**
 * The shared rtnetlink watcher tells its own dump replies from notifications by sequence number
 * *and* port id: a notification caused by another program may carry the same small sequence number.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { netnsSkip, runInNetns, script, lastJson } from './helpers/netns.js';

const SETUP = [
  'ip link set lo up',
  'ip link add va type veth peer name vb',
  'ip link set va up',
  'ip link set vb up',
];

test('a change whose sequence number equals the watcher dump still completes the request', { skip: netnsSkip() || false }, () => {
  const run = runInNetns(SETUP, script('watcher-seq-child.js'), [], 20_000);
  assert.equal(run.status, 0, run.stderr);
  const result = lastJson<{ pending: boolean; added: boolean; completed: boolean; internal: number }>(run);
  assert.deepEqual(result, { pending: true, added: true, completed: true, internal: 0 });
});
