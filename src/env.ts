/**
 * How the tool reads its on/off environment variables: `0`, `false`, `no`, `off` (any case) say
 * off, another non-empty value on, and unset or empty leaves the default (GRPC_PROBE_MIGRATE_DEBUG
 * off, GRPC_PROBE_MIGRATE_CACHE on). bin/grpc-probe-migrate.js holds a copy of envOn: it decides
 * before src loads.
 */
const OFF = /^(?:0|false|no|off)$/i;

/** Set to a value that turns it on. */
export function envOn(value: string | undefined): boolean {
  return value !== undefined && value !== '' && !OFF.test(value);
}

/** Set to a value that turns it off. */
export function envSaysOff(value: string | undefined): boolean {
  return value !== undefined && OFF.test(value);
}
