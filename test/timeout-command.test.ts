import { expect, test } from '@jest/globals';
import { readTimeoutCommand } from '../src/analysis/timeout-command.js';

const words = (s: string) => s.split(' ');

test.each([
  ['timeout 5 grpc_health_probe -addr=:5000', 5, 2],
  ['/usr/bin/timeout 1.5m grpc_health_probe', 90, 2],
  ['timeout .5 grpc_health_probe', 0.5, 2],
  ['timeout 0 grpc_health_probe', 0, 2],
  ['timeout 1d grpc_health_probe', 86400, 2],
  ['timeout -s KILL --preserve-status 2s grpc_health_probe', 2, 5],
  ['timeout -sKILL -k5 3 grpc_health_probe', 3, 4],
  ['timeout -vs 9 3 grpc_health_probe', 3, 4],
  ['timeout --signal=TERM --kill-after 10 --foreground --verbose 7 grpc_health_probe', 7, 7],
  ['timeout -- 4 grpc_health_probe', 4, 3],
  // BusyBox before 1.30: `timeout -t SECS PROG`.
  ['timeout -t 5 grpc_health_probe', 5, 3],
  ['timeout -s TERM -t5 grpc_health_probe', 5, 4],
])('%s: deadline %ss, command at word %s', (line, seconds, command) => {
  expect(readTimeoutCommand(words(line))).toMatchObject({ seconds, command });
});

test.each([
  'timeout --bogus 5 grpc_health_probe',
  'timeout -x 5 grpc_health_probe',
  'timeout 5s',
  'timeout 5x grpc_health_probe',
  'timeout $T grpc_health_probe',
  'timeout -s',
  'nice -n 5 grpc_health_probe',
])('%s is not read', (line) => {
  expect(readTimeoutCommand(words(line))).toBeUndefined();
});
