/**
 * Names and values in messages and paths come from the scanned tree (`name: "\e]0;…"` is a valid
 * YAML string, and a folder may be named anything): written raw to a terminal, a control
 * character would be run by it. The text report and the progress line show them escaped
 * (`\x1b`); tabs and newlines stay.
 */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

export function printable(s: string): string {
  return s.replace(CONTROL, (ch) => `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
